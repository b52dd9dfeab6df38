/**
 * Which remote classrooms a lesson invites, as the coordinator picks them:
 * all of them, by province, by city, by school, or one by one. The server
 * takes the union of what is named (`invitationRequest`); the form names one
 * kind at a time and previews who that reaches.
 */
import type { ClassroomView, invitationRequest } from '@cloudschool/protocol';
import type { z } from 'zod';
import type { Directory } from './roster.ts';

export type InvitationRequest = z.input<typeof invitationRequest>;

export const inviteModes = ['all', 'province', 'city', 'school', 'classrooms'] as const;
export type InviteMode = (typeof inviteModes)[number];

export interface InviteChoice {
  mode: InviteMode;
  provinces: string[];
  cities: string[];
  schoolIds: string[];
  classroomIds: string[];
}

export function emptyInvite(mode: InviteMode = 'classrooms'): InviteChoice {
  return { mode, provinces: [], cities: [], schoolIds: [], classroomIds: [] };
}

/** An existing lesson's invitation: the server keeps the resolved list of classrooms. */
export function inviteOf(classroomIds: readonly string[]): InviteChoice {
  return { ...emptyInvite('classrooms'), classroomIds: [...classroomIds] };
}

/** Only what the chosen mode names is sent. */
export function inviteRequest(choice: InviteChoice): InvitationRequest {
  switch (choice.mode) {
    case 'all':
      return { all: true };
    case 'province':
      return { provinces: [...choice.provinces] };
    case 'city':
      return { cities: [...choice.cities] };
    case 'school':
      return { schoolIds: [...choice.schoolIds] };
    case 'classrooms':
      return { classroomIds: [...choice.classroomIds] };
  }
}

/** The remote classrooms the choice reaches today (the preview under the picker). */
export function invitedClassrooms(dir: Directory, choice: InviteChoice): ClassroomView[] {
  const remote = [...dir.classrooms.values()].filter((c) => c.kind === 'remote');
  const school = (c: ClassroomView) => dir.schools.get(c.schoolId);
  switch (choice.mode) {
    case 'all':
      return remote;
    case 'province': {
      const wanted = new Set(choice.provinces);
      return remote.filter((c) => wanted.has(school(c)?.province ?? ''));
    }
    case 'city': {
      const wanted = new Set(choice.cities);
      return remote.filter((c) => wanted.has(school(c)?.city ?? ''));
    }
    case 'school': {
      const wanted = new Set(choice.schoolIds);
      return remote.filter((c) => wanted.has(c.schoolId));
    }
    case 'classrooms': {
      const wanted = new Set(choice.classroomIds);
      return remote.filter((c) => wanted.has(c.id));
    }
  }
}
