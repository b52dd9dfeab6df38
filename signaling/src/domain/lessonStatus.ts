import type { Lesson, LessonStatus } from './types.ts';

/** Classrooms may wait and the host may start from this long before the start. */
export const OPEN_BEFORE_MS = 15 * 60_000;

/** The status a page shows: the stored one, with 'open' and a never-started lesson's end derived from the clock. */
export function lessonStatus(lesson: Lesson, now: number): LessonStatus {
  if (lesson.status !== 'scheduled') return lesson.status;
  if (now >= lesson.endsAt) return 'ended';
  if (now >= lesson.startsAt - OPEN_BEFORE_MS) return 'open';
  return 'scheduled';
}

/** A lesson can be started only inside its window: from 15 minutes before its start until its end. */
export function canStart(lesson: Lesson, now: number): boolean {
  return lessonStatus(lesson, now) === 'open';
}

/** Join links stay valid until the lesson's end, and a little after for a classroom that reloads late. */
export const TOKEN_GRACE_MS = 30 * 60_000;
