/**
 * Usage over time over HTTP on a real server and store: a fixture term of two weeks (four schools in two
 * counties, two teachers, seven lessons) whose records are written with known times, then GET /api/usage and
 * /api/usage.csv give the figures worked out by hand below, for each grouping.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageReport, UsageRow } from '@cloudschool/protocol';
import { createAccount } from '../../src/http/authRoutes.ts';
import type { Lesson } from '../../src/domain/types.ts';
import { COORDINATOR, login, TEACHER } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { call } from './authClient.ts';

let server: TestServer;
let coordinatorCookie: string;
let teacherCookie: string;

const MIN = 60_000;
/** An instant in Beijing time (UTC+8): the range and the weeks are Beijing's calendar days. */
const bj = (date: string, time: string): number => Date.parse(`${date}T${time}:00+08:00`);

/*
 * The roster:
 *   一中 (host school; 重庆 重庆市 渝北区): classroom h1
 *   木耳小学 (渝北区): a1, a2      兴隆小学 (渝北区): b1      龙山小学 (綦江区): c1
 * Teachers: 王老师 (t1), 李老师 (t2). Range 2026-11-02 (a Monday) → 2026-11-15: weeks 11-02 and 11-09.
 *
 * The lessons, scheduled 09:00–09:40 unless said (Beijing time):
 *   L0 Mon 11-02 07:30–08:10 (Sun 23:30 UTC: Beijing's day counts), t2, b1. b1 07:30–08:10: 40 min, on time.
 *   L1 Mon 11-02, t1, a1 a2 b1 c1; quizzes Q1 Q2.
 *      a1 08:58–09:40: 40 min (counted from the start), on time; quality good 30 + fair 10 min; 2 questions;
 *         answers Q1 and Q2
 *      a2 09:10–09:40: 30 min, late (after 09:05); poor 30 min; answers Q1
 *      b1 09:03–09:20 and 09:25–09:40: 32 min, on time; good 20 + bad 12 min; 1 question; answers Q1
 *      c1 absent
 *   L2 Wed 11-04, t2, a1 c1, started by the host at 09:02 (late: the 5 minutes run from 09:02); quiz Q3.
 *      a1 09:00–09:40: 38 min, on time; no quality measured
 *      c1 09:06–09:40: 34 min, on time (09:06 ≤ 09:07); fair 34 min; 1 question; answers Q3
 *   L3 Tue 11-10, t1, a2 b1 c1; quiz Q4.
 *      a2 09:00–09:30: 30 min, on time; good 30 min; answers Q4
 *      b1 absent
 *      c1 09:20–09:40: 20 min, late; poor 10 + bad 10 min
 *   L4 Thu 11-12, t2, a1 b1: never started (scheduled, not held)
 *   L5 Fri 11-13, t1, c1: cancelled (not counted at all)
 *   L6 Mon 11-16, t1, a1: after the range (not counted)
 *
 * Quality is the time-weighted mean of good 3, fair 2, poor 1, bad 0 (in minutes below: "weighted / measured").
 */
async function seedTerm(): Promise<void> {
  const { store } = server;
  await createAccount(store, { ...COORDINATOR, role: 'coordinator' });
  const t1 = await createAccount(store, { ...TEACHER, role: 'teacher' });
  const t2 = await createAccount(store, {
    username: 'li',
    password: 'li-pass-123',
    displayName: '李老师',
    role: 'teacher',
  });
  coordinatorCookie = await login(server, COORDINATOR);
  teacherCookie = await login(server, TEACHER);
  const school = (id: string, name: string, district: string) => ({
    id,
    name,
    province: '重庆',
    city: '重庆市',
    district,
    timeZone: 'Asia/Shanghai',
  });
  const classroom = (id: string, schoolId: string, kind: 'host' | 'remote') => ({
    id,
    schoolId,
    name: `${id}教室`,
    kind,
    notes: '',
    code: `CODE${id.toUpperCase()}`,
  });
  await store.importRoster(
    [
      school('sh', '一中', '渝北区'),
      school('sa', '木耳小学', '渝北区'),
      school('sb', '兴隆小学', '渝北区'),
      school('sc', '龙山小学', '綦江区'),
    ],
    [
      classroom('h1', 'sh', 'host'),
      classroom('a1', 'sa', 'remote'),
      classroom('a2', 'sa', 'remote'),
      classroom('b1', 'sb', 'remote'),
      classroom('c1', 'sc', 'remote'),
    ],
  );

  const lesson = (
    id: string,
    date: string,
    teacherId: string,
    invited: string[],
    options: { start?: string; end?: string; startedAt?: string | null; status?: Lesson['status'] } = {},
  ): Lesson => {
    const startsAt = bj(date, options.start ?? '09:00');
    const endsAt = bj(date, options.end ?? '09:40');
    const started =
      options.startedAt === undefined
        ? startsAt
        : options.startedAt === null
          ? null
          : bj(date, options.startedAt);
    return {
      id,
      title: '数学',
      subject: '数学',
      grade: '六年级',
      hostClassroomId: 'h1',
      hostTeacherId: teacherId,
      startsAt,
      endsAt,
      invitedClassroomIds: invited,
      seriesId: null,
      status: options.status ?? (started === null ? 'scheduled' : 'ended'),
      startedAt: started,
      endedAt: started === null ? null : endsAt,
      createdBy: t1.id,
      createdAt: startsAt - 86_400_000,
      updatedAt: startsAt - 86_400_000,
    };
  };
  await store.putLessons([
    lesson('L0', '2026-11-02', t2.id, ['b1'], { start: '07:30', end: '08:10' }),
    lesson('L1', '2026-11-02', t1.id, ['a1', 'a2', 'b1', 'c1']),
    lesson('L2', '2026-11-04', t2.id, ['a1', 'c1'], { startedAt: '09:02' }),
    lesson('L3', '2026-11-10', t1.id, ['a2', 'b1', 'c1']),
    lesson('L4', '2026-11-12', t2.id, ['a1', 'b1'], { startedAt: null }),
    lesson('L5', '2026-11-13', t1.id, ['c1'], { startedAt: null, status: 'cancelled' }),
    lesson('L6', '2026-11-16', t1.id, ['a1']),
  ]);

  const visits: [string, string, string, string, string][] = [
    ['L0', 'b1', '2026-11-02', '07:30', '08:10'],
    ['L1', 'a1', '2026-11-02', '08:58', '09:40'],
    ['L1', 'a2', '2026-11-02', '09:10', '09:40'],
    ['L1', 'b1', '2026-11-02', '09:03', '09:20'],
    ['L1', 'b1', '2026-11-02', '09:25', '09:40'],
    ['L2', 'a1', '2026-11-04', '09:00', '09:40'],
    ['L2', 'c1', '2026-11-04', '09:06', '09:40'],
    ['L3', 'a2', '2026-11-10', '09:00', '09:30'],
    ['L3', 'c1', '2026-11-10', '09:20', '09:40'],
    ['L6', 'a1', '2026-11-16', '09:00', '09:40'],
  ];
  for (const [lessonId, classroomId, date, from, to] of visits) {
    await store.appendAttendance({ lessonId, classroomId, kind: 'join', at: bj(date, from) });
    await store.appendAttendance({ lessonId, classroomId, kind: 'leave', at: bj(date, to) });
  }

  for (const [lessonId, classroomId, minutes] of [
    ['L1', 'a1', { good: 30, fair: 10 }],
    ['L1', 'a2', { poor: 30 }],
    ['L1', 'b1', { good: 20, bad: 12 }],
    ['L2', 'c1', { fair: 34 }],
    ['L3', 'a2', { good: 30 }],
    ['L3', 'c1', { poor: 10, bad: 10 }],
    ['L6', 'a1', { good: 40 }],
  ] as const) {
    const ms = Object.fromEntries(Object.entries(minutes).map(([level, m]) => [level, m * MIN]));
    await store.addQualityTime(lessonId, classroomId, ms);
  }

  for (const [i, [lessonId, classroomId, date]] of [
    ['L1', 'a1', '2026-11-02'],
    ['L1', 'a1', '2026-11-02'],
    ['L1', 'b1', '2026-11-02'],
    ['L2', 'c1', '2026-11-04'],
    ['L6', 'a1', '2026-11-16'],
  ].entries()) {
    await store.putQuestion({
      id: `q${i}`,
      lessonId: lessonId!,
      classroomId: classroomId!,
      text: `问题${i}`,
      createdAt: bj(date!, '09:15'),
      state: 'open',
    });
  }

  const quizzes: [string, string, string, string[]][] = [
    ['L1', 'Q1', '2026-11-02', ['a1', 'a2', 'b1']],
    ['L1', 'Q2', '2026-11-02', ['a1']],
    ['L2', 'Q3', '2026-11-04', ['c1']],
    ['L3', 'Q4', '2026-11-10', ['a2']],
    ['L6', 'Q6', '2026-11-16', ['a1']],
  ];
  for (const [lessonId, quizId, date, answeredBy] of quizzes) {
    await store.putQuiz({
      id: quizId,
      lessonId,
      question: '2 + 3 = ?',
      kind: 'single',
      options: ['4', '5'],
      startedAt: bj(date, '09:20'),
      closesAt: bj(date, '09:22'),
      closedAt: bj(date, '09:22'),
      revealed: true,
    });
    for (const classroomId of answeredBy) {
      await store.putQuizAnswer({
        lessonId,
        quizId,
        classroomId,
        choices: [1],
        counts: null,
        at: bj(date, '09:21'),
      });
    }
  }
}

beforeAll(async () => {
  server = await startTestServer(1);
  await seedTerm();
});
afterAll(async () => {
  await server.close();
});

const RANGE = 'from=2026-11-02&to=2026-11-15';

async function usageOf(query: string): Promise<UsageReport> {
  const res = await call(server, 'GET', `/api/usage?${query}`, { cookie: coordinatorCookie });
  expect(res.status).toBe(200);
  return res.body as unknown as UsageReport;
}

/** Rows by `period groupName`, their rates rounded to 4 places (the hand-worked fractions are written as such). */
function byName(report: UsageReport): Record<string, Omit<UsageRow, 'period' | 'groupName' | 'groupId'>> {
  const round = (x: number | null) => (x === null ? null : Math.round(x * 10_000) / 10_000);
  return Object.fromEntries(
    report.rows.map(({ period, groupName, groupId: _id, ...row }) => [
      `${period} ${groupName}`,
      {
        ...row,
        attendanceRate: round(row.attendanceRate),
        punctuality: round(row.punctuality),
        quality: round(row.quality),
        quizParticipation: round(row.quizParticipation),
      },
    ]),
  );
}

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

describe('usage over time', () => {
  it('per school and week', async () => {
    const report = await usageOf(`${RANGE}&group=school&period=week`);
    expect(report.periods).toEqual(['2026-11-02', '2026-11-09']);
    expect(byName(report)).toEqual({
      // 木耳小学, week 1: L1 (a1, a2), L2 (a1). Minutes 40 + 30 + 38; on time a1 twice, a2 late.
      // Quality (30·3 + 10·2 + 30·1) / (40 + 30) = 140/70. Quizzes: L1 2 × 2 attended + L2 1 × 1 = 5
      // chances; answered a1 Q1 Q2, a2 Q1 = 3.
      '2026-11-02 木耳小学': {
        groupParent: '重庆市 渝北区',
        lessonsScheduled: 2,
        lessonsHeld: 2,
        classroomLessons: 3,
        attended: 3,
        onTime: 2,
        classroomMinutes: 108,
        qualityMinutes: 70,
        questions: 2,
        quizChances: 5,
        quizAnswers: 3,
        attendanceRate: 1,
        punctuality: r4(2 / 3),
        quality: 2,
        quizParticipation: 0.6,
      },
      // 兴隆小学, week 1: L0 (40 min), L1 (17 + 15 min); quality (20·3 + 12·0) / 32; Q1 of L1's two quizzes.
      '2026-11-02 兴隆小学': {
        groupParent: '重庆市 渝北区',
        lessonsScheduled: 2,
        lessonsHeld: 2,
        classroomLessons: 2,
        attended: 2,
        onTime: 2,
        classroomMinutes: 72,
        qualityMinutes: 32,
        questions: 1,
        quizChances: 2,
        quizAnswers: 1,
        attendanceRate: 1,
        punctuality: 1,
        quality: r4(60 / 32),
        quizParticipation: 0.5,
      },
      // 龙山小学, week 1: absent from L1 (its quizzes are no chances), L2 34 min on time, fair, Q3 answered.
      '2026-11-02 龙山小学': {
        groupParent: '重庆市 綦江区',
        lessonsScheduled: 2,
        lessonsHeld: 2,
        classroomLessons: 2,
        attended: 1,
        onTime: 1,
        classroomMinutes: 34,
        qualityMinutes: 34,
        questions: 1,
        quizChances: 1,
        quizAnswers: 1,
        attendanceRate: 0.5,
        punctuality: 1,
        quality: 2,
        quizParticipation: 1,
      },
      // 木耳小学, week 2: L3 (a2: 30 min, good, Q4 answered) and L4 (never started).
      '2026-11-09 木耳小学': {
        groupParent: '重庆市 渝北区',
        lessonsScheduled: 2,
        lessonsHeld: 1,
        classroomLessons: 1,
        attended: 1,
        onTime: 1,
        classroomMinutes: 30,
        qualityMinutes: 30,
        questions: 0,
        quizChances: 1,
        quizAnswers: 1,
        attendanceRate: 1,
        punctuality: 1,
        quality: 3,
        quizParticipation: 1,
      },
      // 兴隆小学, week 2: absent from L3, L4 never started: nothing to divide by but the attendance.
      '2026-11-09 兴隆小学': {
        groupParent: '重庆市 渝北区',
        lessonsScheduled: 2,
        lessonsHeld: 1,
        classroomLessons: 1,
        attended: 0,
        onTime: 0,
        classroomMinutes: 0,
        qualityMinutes: 0,
        questions: 0,
        quizChances: 0,
        quizAnswers: 0,
        attendanceRate: 0,
        punctuality: null,
        quality: null,
        quizParticipation: null,
      },
      // 龙山小学, week 2: L3 20 min late, (10·1 + 10·0) / 20, Q4 not answered; L5 cancelled.
      '2026-11-09 龙山小学': {
        groupParent: '重庆市 綦江区',
        lessonsScheduled: 1,
        lessonsHeld: 1,
        classroomLessons: 1,
        attended: 1,
        onTime: 0,
        classroomMinutes: 20,
        qualityMinutes: 20,
        questions: 0,
        quizChances: 1,
        quizAnswers: 0,
        attendanceRate: 1,
        punctuality: 0,
        quality: 0.5,
        quizParticipation: 0,
      },
    });
    // By period, then by place and name (綦江 qí before 渝北 yú, 兴隆 xīng after 木耳 mù).
    expect(report.rows.map((r) => `${r.period} ${r.groupName}`)).toEqual([
      '2026-11-02 龙山小学',
      '2026-11-02 木耳小学',
      '2026-11-02 兴隆小学',
      '2026-11-09 龙山小学',
      '2026-11-09 木耳小学',
      '2026-11-09 兴隆小学',
    ]);
  });

  it('per school over the term', async () => {
    const rows = byName(await usageOf(`${RANGE}&group=school&period=term`));
    // 木耳小学 over both weeks: the two week-rows above added, the rates of the sums.
    expect(rows['2026-11-02 木耳小学']).toEqual({
      groupParent: '重庆市 渝北区',
      lessonsScheduled: 4,
      lessonsHeld: 3,
      classroomLessons: 4,
      attended: 4,
      onTime: 3,
      classroomMinutes: 138,
      qualityMinutes: 100,
      questions: 2,
      quizChances: 6,
      quizAnswers: 4,
      attendanceRate: 1,
      punctuality: 0.75,
      quality: 2.3,
      quizParticipation: r4(4 / 6),
    });
    expect(Object.keys(rows).sort()).toEqual([
      '2026-11-02 兴隆小学',
      '2026-11-02 木耳小学',
      '2026-11-02 龙山小学',
    ]);
  });

  it('per county and week', async () => {
    const report = await usageOf(`${RANGE}&group=county&period=week`);
    expect(report.rows.find((r) => r.groupName === '渝北区')?.groupId).toBe('重庆/重庆市/渝北区');
    expect(byName(report)).toEqual({
      // 渝北区 = 木耳小学 + 兴隆小学 in week 1; lessons L0, L1, L2 each counted once.
      // Quality (140 + 60) / (70 + 32); quizzes 3 + 1 of 5 + 2.
      '2026-11-02 渝北区': {
        groupParent: '重庆 重庆市',
        lessonsScheduled: 3,
        lessonsHeld: 3,
        classroomLessons: 5,
        attended: 5,
        onTime: 4,
        classroomMinutes: 180,
        qualityMinutes: 102,
        questions: 3,
        quizChances: 7,
        quizAnswers: 4,
        attendanceRate: 1,
        punctuality: 0.8,
        quality: r4(200 / 102),
        quizParticipation: r4(4 / 7),
      },
      '2026-11-02 綦江区': {
        groupParent: '重庆 重庆市',
        lessonsScheduled: 2,
        lessonsHeld: 2,
        classroomLessons: 2,
        attended: 1,
        onTime: 1,
        classroomMinutes: 34,
        qualityMinutes: 34,
        questions: 1,
        quizChances: 1,
        quizAnswers: 1,
        attendanceRate: 0.5,
        punctuality: 1,
        quality: 2,
        quizParticipation: 1,
      },
      // 渝北区 week 2: L3 (a2 present, b1 absent) and L4 (not held).
      '2026-11-09 渝北区': {
        groupParent: '重庆 重庆市',
        lessonsScheduled: 2,
        lessonsHeld: 1,
        classroomLessons: 2,
        attended: 1,
        onTime: 1,
        classroomMinutes: 30,
        qualityMinutes: 30,
        questions: 0,
        quizChances: 1,
        quizAnswers: 1,
        attendanceRate: 0.5,
        punctuality: 1,
        quality: 3,
        quizParticipation: 1,
      },
      '2026-11-09 綦江区': {
        groupParent: '重庆 重庆市',
        lessonsScheduled: 1,
        lessonsHeld: 1,
        classroomLessons: 1,
        attended: 1,
        onTime: 0,
        classroomMinutes: 20,
        qualityMinutes: 20,
        questions: 0,
        quizChances: 1,
        quizAnswers: 0,
        attendanceRate: 1,
        punctuality: 0,
        quality: 0.5,
        quizParticipation: 0,
      },
    });
  });

  it('per teacher over the term', async () => {
    expect(byName(await usageOf(`${RANGE}&group=teacher&period=term`))).toEqual({
      // 王老师: L1 (4 invited, 3 present: a1 40 on time, a2 30 late, b1 32 on time) and L3 (3 invited,
      // a2 30 on time, c1 20 late); L5 cancelled, L6 after the range. Quality (110 + 30 + 60 + 90 + 10) / 152.
      // Quizzes: L1 2 × 3 + L3 1 × 2 = 8 chances; answered 3 + 1 (Q1, Q2) + 1 (Q4).
      '2026-11-02 王老师': {
        groupParent: '',
        lessonsScheduled: 2,
        lessonsHeld: 2,
        classroomLessons: 7,
        attended: 5,
        onTime: 3,
        classroomMinutes: 152,
        qualityMinutes: 152,
        questions: 3,
        quizChances: 8,
        quizAnswers: 5,
        attendanceRate: r4(5 / 7),
        punctuality: 0.6,
        quality: r4(300 / 152),
        quizParticipation: 0.625,
      },
      // 李老师: L0 (b1 40), L2 (a1 38, c1 34), L4 not held.
      '2026-11-02 李老师': {
        groupParent: '',
        lessonsScheduled: 3,
        lessonsHeld: 2,
        classroomLessons: 3,
        attended: 3,
        onTime: 3,
        classroomMinutes: 112,
        qualityMinutes: 34,
        questions: 1,
        quizChances: 2,
        quizAnswers: 1,
        attendanceRate: 1,
        punctuality: 1,
        quality: 2,
        quizParticipation: 0.5,
      },
    });
  });

  it('exports CSV with a BOM and Chinese headers that parse back', async () => {
    const res = await fetch(`${server.url}/api/usage.csv?${RANGE}&group=county&period=week`, {
      headers: { cookie: coordinatorCookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(new TextDecoder().decode(bytes), { bom: true }) as string[][];
    expect(rows[0]).toEqual([
      '周（周一）',
      '区县',
      '所在市',
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
    ]);
    // 綦江区 sorts before 渝北区; 渝北区 week 1 as above, in percent with one decimal (4/7 = 57.1 %).
    expect(rows.slice(1).map((r) => r.slice(0, 2))).toEqual([
      ['2026-11-02', '綦江区'],
      ['2026-11-02', '渝北区'],
      ['2026-11-09', '綦江区'],
      ['2026-11-09', '渝北区'],
    ]);
    expect(rows[2]).toEqual([
      '2026-11-02',
      '渝北区',
      '重庆 重庆市',
      '3',
      '3',
      '5',
      '5',
      '4',
      '100',
      '80',
      '180',
      '102',
      '1.96',
      '3',
      '7',
      '4',
      '57.1',
    ]);
  });

  it('is for coordinators only', async () => {
    for (const path of [`/api/usage?${RANGE}`, `/api/usage.csv?${RANGE}`]) {
      expect((await call(server, 'GET', path, { cookie: teacherCookie })).status).toBe(403);
      expect((await call(server, 'GET', path)).status).toBe(401);
    }
  });

  it('refuses a bad query with 400 and changes nothing', async () => {
    const before = await server.store.listLessons({ from: 0, to: bj('2027-01-01', '00:00') });
    for (const query of [
      'from=2026-11-15&to=2026-11-02', // backwards
      'from=2026-01-01&to=2027-01-02', // 367 days
      'from=2026-11-02&to=2026-11-31', // no such day
      `${RANGE}&group=province`,
      `${RANGE}&period=day`,
      'to=2026-11-15',
    ]) {
      const res = await call(server, 'GET', `/api/usage?${query}`, { cookie: coordinatorCookie });
      expect([query, res.status, res.body.error?.code]).toEqual([query, 400, 'bad_request']);
    }
    expect(await server.store.listLessons({ from: 0, to: bj('2027-01-01', '00:00') })).toEqual(before);
  });
});
