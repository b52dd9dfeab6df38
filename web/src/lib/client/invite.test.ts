import { describe, expect, it } from 'vitest';
import { invitationRequest } from '@cloudschool/protocol';
import { emptyInvite, inviteOf, inviteRequest, invitedClassrooms, type InviteChoice } from './invite.ts';
import { directory } from './roster.ts';
import { classrooms, schools } from './testFixtures.ts';

const dir = directory(schools, classrooms);
const ids = (choice: InviteChoice): string[] => invitedClassrooms(dir, choice).map((c) => c.id);

describe('invitations', () => {
  it('previews the remote classrooms each mode reaches', () => {
    expect(ids(emptyInvite('all'))).toEqual(['c2', 'c3', 'c4']);
    expect(ids({ ...emptyInvite('province'), provinces: ['四川省'] })).toEqual(['c2', 'c3']);
    expect(ids({ ...emptyInvite('city'), cities: ['贵阳市'] })).toEqual(['c4']);
    expect(ids({ ...emptyInvite('school'), schoolIds: ['s1'] })).toEqual(['c2']);
    expect(ids(inviteOf(['c3', 'c1']))).toEqual(['c3']);
  });

  it('sends only what the chosen mode names, in the server schema', () => {
    const choice: InviteChoice = {
      mode: 'city',
      provinces: ['四川省'],
      cities: ['成都市'],
      schoolIds: ['s1'],
      classroomIds: ['c2'],
    };
    expect(inviteRequest(choice)).toEqual({ cities: ['成都市'] });
    expect(inviteRequest({ ...choice, mode: 'all' })).toEqual({ all: true });
    for (const mode of ['all', 'province', 'city', 'school', 'classrooms'] as const) {
      expect(invitationRequest.safeParse(inviteRequest({ ...choice, mode })).success, mode).toBe(true);
    }
  });
});
