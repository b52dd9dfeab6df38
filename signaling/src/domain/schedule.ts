/** Scheduling rules: who is invited, weekly series, and double bookings. Pure functions. */
import type { BookingConflict } from '@cloudschool/protocol';
import { zoneOffsetMs } from '@cloudschool/protocol';
import type { Classroom, Lesson, School } from './types.ts';

export const MAX_SERIES = 60;
const WEEK_MS = 7 * 24 * 3600_000;

export interface Invitation {
  all: boolean;
  classroomIds: string[];
  schoolIds: string[];
  cities: string[];
  provinces: string[];
}

/** Remote classrooms matching any criterion (or all of them); never the host classroom. */
export function resolveInvitation(
  invite: Invitation,
  classrooms: Classroom[],
  schools: School[],
  hostClassroomId: string,
): string[] {
  const schoolById = new Map(schools.map((s) => [s.id, s]));
  const ids = new Set(invite.classroomIds);
  const schoolIds = new Set(invite.schoolIds);
  const cities = new Set(invite.cities);
  const provinces = new Set(invite.provinces);
  return classrooms
    .filter((c) => {
      if (c.kind !== 'remote' || c.id === hostClassroomId) return false;
      if (invite.all || ids.has(c.id) || schoolIds.has(c.schoolId)) return true;
      const school = schoolById.get(c.schoolId);
      return school !== undefined && (cities.has(school.city) || provinces.has(school.province));
    })
    .map((c) => c.id);
}

/**
 * Start times of a weekly series from `startsAt` through the end of the
 * `until` day in the lesson's zone. Weeks are added as 7 × 24 h, exact in
 * zones without daylight saving time (all of China).
 */
export function weeklyStarts(startsAt: number, untilEndOfDay: number): number[] {
  const starts: number[] = [];
  for (let t = startsAt; t <= untilEndOfDay && starts.length < MAX_SERIES; t += WEEK_MS) starts.push(t);
  return starts;
}

/** Every classroom a lesson occupies: its host classroom and its invited ones. */
export function bookedClassrooms(lesson: Pick<Lesson, 'hostClassroomId' | 'invitedClassroomIds'>): string[] {
  return [lesson.hostClassroomId, ...lesson.invitedClassroomIds];
}

/**
 * Double bookings: a classroom of a proposed lesson that another, not
 * cancelled or ended, lesson already occupies at an overlapping time.
 */
export function findConflicts(
  proposed: Lesson[],
  existing: Lesson[],
  classrooms: Map<string, Classroom>,
  schools: Map<string, School>,
): BookingConflict[] {
  const proposedIds = new Set(proposed.map((l) => l.id));
  const conflicts: BookingConflict[] = [];
  for (const p of proposed) {
    const mine = new Set(bookedClassrooms(p));
    for (const e of existing) {
      if (proposedIds.has(e.id) || e.status === 'cancelled' || e.status === 'ended') continue;
      if (!(e.startsAt < p.endsAt && p.startsAt < e.endsAt)) continue;
      for (const classroomId of bookedClassrooms(e)) {
        if (!mine.has(classroomId)) continue;
        const classroom = classrooms.get(classroomId);
        conflicts.push({
          classroomId,
          classroomName: classroom?.name ?? classroomId,
          schoolName: (classroom && schools.get(classroom.schoolId)?.name) ?? '',
          lessonId: e.id,
          lessonTitle: e.title,
          startsAt: new Date(e.startsAt).toISOString(),
          endsAt: new Date(e.endsAt).toISOString(),
        });
      }
    }
  }
  return conflicts;
}

/** Milliseconds of the end of a calendar day (YYYY-MM-DD) in a time zone. */
export function endOfDayIn(date: string, timeZone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  // The zone's offset at noon of that day, applied to the day's last millisecond.
  const noonUtc = Date.UTC(y, m - 1, d, 12);
  return Date.UTC(y, m - 1, d + 1) - 1 - zoneOffsetMs(noonUtc, timeZone);
}

/** [start, end) of the calendar day containing `at`, in a time zone. */
export function dayIn(at: number, timeZone: string): { from: number; to: number } {
  const offset = zoneOffsetMs(at, timeZone);
  const local = at + offset;
  const startLocal = local - (((local % 86_400_000) + 86_400_000) % 86_400_000);
  return { from: startLocal - offset, to: startLocal - offset + 86_400_000 };
}
