import express from 'express';
import { addDays, usageQuery } from '@cloudschool/protocol';
import type { UsageGroup, UsageReport, UsageRow } from '@cloudschool/protocol';
import { DEFAULT_TIME_ZONE } from '../domain/roster.ts';
import { endOfDayIn } from '../domain/schedule.ts';
import { usage } from '../domain/usage.ts';
import type { LessonRecords } from '../domain/usage.ts';
import { AppError } from '../errors.ts';
import type {
  AccountStore,
  AttendanceStore,
  LessonStore,
  QualityStore,
  RoomStore,
  RosterStore,
} from '../store/Store.ts';
import { sendCsv } from './csv.ts';
import { parse, requireRole } from './middleware.ts';

/** The most lessons one report reads (about a school year of a large district); beyond it: 400. */
export const USAGE_MAX_LESSONS = 20_000;
/** Lessons whose records are read at once: enough to overlap the store's round trips, not to flood it. */
const READ_BATCH = 16;

export interface UsageRouteDeps {
  store: LessonStore & RosterStore & AccountStore & AttendanceStore & RoomStore & QualityStore;
}

/** Everything a lesson's usage is computed from, read as the lesson report reads it. */
async function recordsOf(
  store: UsageRouteDeps['store'],
  lesson: LessonRecords['lesson'],
): Promise<LessonRecords> {
  if (lesson.startedAt === null) {
    return { lesson, attendance: [], quality: [], questions: [], quizzes: [], answers: [] };
  }
  const [attendance, quality, questions, quizzes] = await Promise.all([
    store.listAttendance(lesson.id),
    store.listQualityTimes(lesson.id),
    store.listQuestions(lesson.id),
    store.listQuizzes(lesson.id),
  ]);
  const answers = (await Promise.all(quizzes.map((q) => store.listQuizAnswers(lesson.id, q.id)))).flat();
  return { lesson, attendance, quality, questions, quizzes, answers };
}

const GROUP_HEADER: Record<UsageGroup, [string, string]> = {
  school: ['学校', '所在区县'],
  county: ['区县', '所在市'],
  teacher: ['主讲教师', ''],
};

/** A share as a percentage with one decimal, '' when there is nothing to divide by. */
const percent = (value: number | null): string | number =>
  value === null ? '' : Math.round(value * 1000) / 10;

function csvRows(report: UsageReport): (string | number)[][] {
  const [name, parent] = GROUP_HEADER[report.group];
  const header = [
    report.period === 'week' ? '周（周一）' : '起始日',
    name,
    ...(parent ? [parent] : []),
    '排课节数',
    '开课节数',
    '应到课堂次',
    '实到课堂次',
    '准时课堂次',
    '出勤率(%)',
    '准时率(%)',
    '课堂分钟',
    '质量测得分钟',
    '平均质量(0-3)',
    '提问数',
    '答题机会',
    '答题次数',
    '答题参与率(%)',
  ];
  const line = (r: UsageRow): (string | number)[] => [
    r.period,
    r.groupName,
    ...(parent ? [r.groupParent] : []),
    r.lessonsScheduled,
    r.lessonsHeld,
    r.classroomLessons,
    r.attended,
    r.onTime,
    percent(r.attendanceRate),
    percent(r.punctuality),
    r.classroomMinutes,
    r.qualityMinutes,
    r.quality === null ? '' : Math.round(r.quality * 100) / 100,
    r.questions,
    r.quizChances,
    r.quizAnswers,
    percent(r.quizParticipation),
  ];
  return [header, ...report.rows.map(line)];
}

/**
 * Usage over time for coordinators (definitions: domain/usage.ts): GET /api/usage as JSON, GET /api/usage.csv
 * the same rows with Chinese headers. Read-only; computed on each request from the store.
 */
export function usageRoutes(deps: UsageRouteDeps): express.Router {
  const { store } = deps;
  const router = express.Router();

  const report = async (query: unknown): Promise<UsageReport> => {
    const q = parse(usageQuery, query);
    const range = {
      from: endOfDayIn(addDays(q.from, -1), DEFAULT_TIME_ZONE) + 1,
      to: endOfDayIn(q.to, DEFAULT_TIME_ZONE) + 1,
    };
    // Lessons overlapping the range include some that started the day before: usage() keeps those that start in it.
    const lessons = await store.listLessons(range);
    if (lessons.length > USAGE_MAX_LESSONS) {
      throw new AppError('bad_request', `the range holds more than ${USAGE_MAX_LESSONS} lessons`);
    }
    const records: LessonRecords[] = [];
    for (let i = 0; i < lessons.length; i += READ_BATCH) {
      records.push(...(await Promise.all(lessons.slice(i, i + READ_BATCH).map((l) => recordsOf(store, l)))));
    }
    const [classrooms, schools, accounts] = await Promise.all([
      store.listClassrooms(),
      store.listSchools(),
      store.listAccounts(),
    ]);
    return usage({
      ...q,
      timeZone: DEFAULT_TIME_ZONE,
      lessons: records,
      classrooms,
      schools,
      teachers: accounts,
      now: Date.now(),
    });
  };

  router.get('/api/usage', requireRole('coordinator'), async (req, res) => {
    res.json(await report(req.query));
  });

  router.get('/api/usage.csv', requireRole('coordinator'), async (req, res) => {
    const r = await report(req.query);
    sendCsv(res, `usage-${r.group}-${r.period}-${r.from}-${r.to}.csv`, csvRows(r));
  });

  return router;
}
