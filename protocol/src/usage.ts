/**
 * Usage over time (coordinators): how the district's dual-teacher lessons are used, per school, county or
 * host teacher, by week or over the whole range (a term). GET /api/usage answers `UsageReport`;
 * GET /api/usage.csv the same rows as CSV. Definitions: signaling/src/domain/usage.ts and signaling's README.
 */
import { z } from 'zod';

export const usageGroups = ['school', 'county', 'teacher'] as const;
export type UsageGroup = (typeof usageGroups)[number];

export const usagePeriods = ['week', 'term'] as const;
export type UsagePeriod = (typeof usagePeriods)[number];

/** The longest range one report covers: a school year. */
export const USAGE_MAX_DAYS = 366;

const DAY_MS = 86_400_000;

/** Whole days from one `YYYY-MM-DD` to another (calendar arithmetic, no zone). */
function daysBetween(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS;
}

/**
 * `from` and `to` are calendar days (Beijing time), both included; a lesson belongs to the day it was
 * scheduled to start on.
 */
export const usageQuery = z
  .object({
    from: z.iso.date(),
    to: z.iso.date(),
    group: z.enum(usageGroups).default('school'),
    period: z.enum(usagePeriods).default('week'),
  })
  .refine((q) => q.to >= q.from, { message: 'the range must end on or after its first day', path: ['to'] })
  .refine((q) => daysBetween(q.from, q.to) < USAGE_MAX_DAYS, {
    message: `the range may cover at most ${USAGE_MAX_DAYS} days`,
    path: ['to'],
  });
export type UsageQuery = z.input<typeof usageQuery>;

/** One group (school, county or teacher) in one period. Counts first, then the rates made of them. */
export interface UsageRow {
  /** The first day of the period (`YYYY-MM-DD`): the week's Monday, or the range's first day for a term. */
  period: string;
  /** School id, `province/city/county`, or teacher account id. */
  groupId: string;
  groupName: string;
  /** Where the group sits: the school's `city county`, the county's `province city`; '' for a teacher. */
  groupParent: string;
  /** Lessons not cancelled that invited one of the group's classrooms (a teacher's: that they host). */
  lessonsScheduled: number;
  /** Of those, lessons that were started. */
  lessonsHeld: number;
  /** Invited classrooms of held lessons, counted once per lesson. */
  classroomLessons: number;
  /** Classroom-lessons in which the classroom was present at all. */
  attended: number;
  /** Attended classroom-lessons joined no later than 5 minutes after the lesson began. */
  onTime: number;
  /** Minutes classrooms were present, summed (tenths). */
  classroomMinutes: number;
  /** Minutes of media whose quality was measured, summed (tenths). */
  qualityMinutes: number;
  questions: number;
  /** Quizzes × attended classrooms of each held lesson: the answers there could have been. */
  quizChances: number;
  quizAnswers: number;
  /** attended / classroomLessons; null without classroom-lessons. */
  attendanceRate: number | null;
  /** onTime / attended; null without attendance. */
  punctuality: number | null;
  /** Time-weighted mean level, 良好 3 · 一般 2 · 较差 1 · 很差 0; null when nothing was measured. */
  quality: number | null;
  /** quizAnswers / quizChances; null without quizzes. */
  quizParticipation: number | null;
}

export interface UsageReport {
  from: string;
  to: string;
  group: UsageGroup;
  period: UsagePeriod;
  /** First days of the periods, in order (also those without lessons). */
  periods: string[];
  /** By period, then by group name. */
  rows: UsageRow[];
}
