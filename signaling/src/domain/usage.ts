/**
 * Usage over time: how much and how well the dual-teacher lessons of a date range were used, per school,
 * county or host teacher, by week or over the whole range. Pure: computed from the records the store keeps
 * for each lesson (the same ones the lesson report reads, with the report's own rules for presence and
 * lateness: report.ts).
 *
 * The unit is the classroom-lesson: one invited classroom in one held lesson. A school's or county's figures
 * count its own invited classrooms (the receiving side); a teacher's count every invited classroom of the
 * lessons they host.
 */
import { addDays, calendarDate, mondayOf } from '@cloudschool/protocol';
import type { UsageGroup, UsagePeriod, UsageReport, UsageRow } from '@cloudschool/protocol';
import type { QualityTime } from '../store/entities/quality.ts';
import { attendanceOf, lessonSpan, presence } from './report.ts';
import type { AttendanceEvent, Classroom, Lesson, Question, Quiz, QuizAnswer, School } from './types.ts';

/** What the store keeps of one lesson that usage reads. */
export interface LessonRecords {
  lesson: Lesson;
  attendance: AttendanceEvent[];
  quality: QualityTime[];
  questions: Pick<Question, 'classroomId'>[];
  quizzes: Pick<Quiz, 'id'>[];
  answers: Pick<QuizAnswer, 'quizId' | 'classroomId'>[];
}

export interface UsageInput {
  /** Calendar days in `timeZone`, both included. */
  from: string;
  to: string;
  group: UsageGroup;
  period: UsagePeriod;
  timeZone: string;
  /** Lessons scheduled to start within the range (others are left out here too). */
  lessons: LessonRecords[];
  classrooms: Classroom[];
  schools: School[];
  teachers: { id: string; displayName: string }[];
  now: number;
}

/** Quality levels as numbers for the mean: 良好 3, 一般 2, 较差 1, 很差 0. */
const LEVEL_WEIGHT = { goodMs: 3, fairMs: 2, poorMs: 1, badMs: 0 } as const;

interface Group {
  id: string;
  name: string;
  parent: string;
}

type Counts = Omit<
  UsageRow,
  | 'period'
  | 'groupId'
  | 'groupName'
  | 'groupParent'
  | 'attendanceRate'
  | 'punctuality'
  | 'quality'
  | 'quizParticipation'
> & { presentMs: number; measuredMs: number; weightedMs: number };

const emptyCounts = (): Counts => ({
  lessonsScheduled: 0,
  lessonsHeld: 0,
  classroomLessons: 0,
  attended: 0,
  onTime: 0,
  classroomMinutes: 0,
  qualityMinutes: 0,
  questions: 0,
  quizChances: 0,
  quizAnswers: 0,
  presentMs: 0,
  measuredMs: 0,
  weightedMs: 0,
});

const tenthsOfMinutes = (ms: number): number => Math.round(ms / 6_000) / 10;
const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/** The county of a school, keyed by province, city and county (two cities may have counties of one name). */
export function countyOf(school: School): Group {
  return {
    id: `${school.province}/${school.city}/${school.district}`,
    name: school.district,
    parent: `${school.province} ${school.city}`.trim(),
  };
}

/** The first days of the periods of a range: its Mondays (from the one of its first day), or its first day. */
export function periodsOf(from: string, to: string, period: UsagePeriod): string[] {
  if (period === 'term') return [from];
  const weeks: string[] = [];
  for (let monday = mondayOf(from); monday <= to; monday = addDays(monday, 7)) weeks.push(monday);
  return weeks;
}

export function usage(input: UsageInput): UsageReport {
  const schools = new Map(input.schools.map((s) => [s.id, s]));
  const classrooms = new Map(input.classrooms.map((c) => [c.id, c]));
  const teachers = new Map(input.teachers.map((t) => [t.id, t.displayName]));

  /** The group a classroom-lesson counts for; undefined for a classroom no longer in the roster. */
  const groupOf = (lesson: Lesson, classroomId: string): Group | undefined => {
    if (input.group === 'teacher') {
      return { id: lesson.hostTeacherId, name: teachers.get(lesson.hostTeacherId) ?? '', parent: '' };
    }
    const school = schools.get(classrooms.get(classroomId)?.schoolId ?? '');
    if (!school) return undefined;
    if (input.group === 'county') return countyOf(school);
    return { id: school.id, name: school.name, parent: `${school.city} ${school.district}`.trim() };
  };

  const cells = new Map<string, { period: string; group: Group; counts: Counts }>();
  const cell = (period: string, group: Group): Counts => {
    const key = `${period}\n${group.id}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { period, group, counts: emptyCounts() }));
    return c.counts;
  };

  for (const records of input.lessons) {
    const { lesson } = records;
    const day = calendarDate(lesson.startsAt, input.timeZone);
    if (lesson.status === 'cancelled' || day < input.from || day > input.to) continue;
    const period = input.period === 'term' ? input.from : mondayOf(day);
    const held = lesson.startedAt !== null;

    // A lesson counts once for each group it touches: the teacher's even with no classroom invited.
    const touched = new Map<string, Group>();
    if (input.group === 'teacher') {
      const host = groupOf(lesson, lesson.hostClassroomId);
      if (host) touched.set(host.id, host);
    }
    for (const id of lesson.invitedClassroomIds) {
      const group = groupOf(lesson, id);
      if (group) touched.set(group.id, group);
    }
    for (const group of touched.values()) {
      const counts = cell(period, group);
      counts.lessonsScheduled++;
      if (held) counts.lessonsHeld++;
    }
    if (!held) continue;

    const span = lessonSpan(lesson, input.now);
    const present = presence(records.attendance, span);
    const quality = new Map(records.quality.map((q) => [q.classroomId, q]));
    const answered = new Set(records.answers.map((a) => `${a.quizId}\n${a.classroomId}`));
    for (const id of lesson.invitedClassroomIds) {
      const group = groupOf(lesson, id);
      if (!group) continue;
      const counts = cell(period, group);
      const p = present.get(id);
      const attendance = attendanceOf(p, span.from);
      counts.classroomLessons++;
      counts.questions += records.questions.filter((q) => q.classroomId === id).length;
      const q = quality.get(id);
      if (q) {
        for (const level of ['goodMs', 'fairMs', 'poorMs', 'badMs'] as const) {
          counts.measuredMs += q[level];
          counts.weightedMs += q[level] * LEVEL_WEIGHT[level];
        }
      }
      if (attendance === 'absent') continue;
      counts.attended++;
      if (attendance === 'on_time') counts.onTime++;
      counts.presentMs += p?.presentMs ?? 0;
      for (const quiz of records.quizzes) {
        counts.quizChances++;
        if (answered.has(`${quiz.id}\n${id}`)) counts.quizAnswers++;
      }
    }
  }

  const periods = periodsOf(input.from, input.to, input.period);
  const rows: UsageRow[] = [...cells.values()].map(({ period, group, counts }) => {
    const { presentMs, measuredMs, weightedMs, ...kept } = counts;
    return {
      period,
      groupId: group.id,
      groupName: group.name,
      groupParent: group.parent,
      ...kept,
      classroomMinutes: tenthsOfMinutes(presentMs),
      qualityMinutes: tenthsOfMinutes(measuredMs),
      attendanceRate: ratio(counts.attended, counts.classroomLessons),
      punctuality: ratio(counts.onTime, counts.attended),
      quality: ratio(weightedMs, measuredMs),
      quizParticipation: ratio(counts.quizAnswers, counts.quizChances),
    };
  });
  rows.sort(
    (a, b) =>
      a.period.localeCompare(b.period) ||
      `${a.groupParent} ${a.groupName}`.localeCompare(`${b.groupParent} ${b.groupName}`, 'zh-CN') ||
      a.groupId.localeCompare(b.groupId),
  );
  return { from: input.from, to: input.to, group: input.group, period: input.period, periods, rows };
}
