import { describe, expect, it } from 'vitest';
import { lessonId } from '@cloudschool/protocol';
import { isLessonId } from './lessonId.ts';

describe('lesson ids', () => {
  const samples = [
    'math-101',
    'A_b-9',
    'x',
    'a'.repeat(64),
    '',
    'a'.repeat(65),
    'has space',
    '数学',
    'a/b',
    'a.b',
  ];

  it('accepts exactly what the server accepts', () => {
    for (const sample of samples) {
      expect(isLessonId(sample), sample).toBe(lessonId.safeParse(sample).success);
    }
  });
});
