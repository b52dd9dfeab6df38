import { describe, expect, it } from 'vitest';
import { lessonRequest } from '@cloudschool/protocol';
import { invalidFields } from './forms.ts';

describe('invalidFields', () => {
  it('names the top-level fields the server schema refuses', () => {
    const result = lessonRequest.safeParse({
      title: ' ',
      subject: '数学',
      grade: '三年级',
      hostClassroomId: 'c1',
      hostTeacherId: '',
      startsAt: '2026-11-28T06:00:00.000Z',
      endsAt: 'later',
      invite: { classroomIds: [''] },
    });
    expect(result.success).toBe(false);
    if (!result.success) {
      expect([...invalidFields(result.error)].sort()).toEqual(['endsAt', 'hostTeacherId', 'invite', 'title']);
    }
  });
});
