import express from 'express';
import type { Request } from 'express';
import QRCode from 'qrcode';
import type { CodeEntryLimiter } from '../auth/CodeEntryLimiter.ts';
import { sourceOf } from '../auth/limits.ts';
import { classroomCalendar } from '../domain/ical.ts';
import { lessonStatus } from '../domain/lessonStatus.ts';
import { attendanceReport } from '../domain/report.ts';
import { stAnalysis } from '../domain/stAnalysis.ts';
import { recordedTimeline } from '../domain/stTimeline.ts';
import { boardHistory } from '../board/history.ts';
import { dayIn } from '../domain/schedule.ts';
import { DEFAULT_TIME_ZONE } from '../domain/roster.ts';
import type { Account, Lesson } from '../domain/types.ts';
import { codeFingerprint } from '../auth/JoinTokens.ts';
import { AppError } from '../errors.ts';
import {
  joinByCodeRequest,
  lessonParams,
  RECORDED_LESSONS_DAYS,
  lessonRequest,
  listLessonsQuery,
  MAX_LESSON_MS,
  reportQuery,
} from '@cloudschool/protocol';
import { applyOps, initialBoard } from '@cloudschool/board';
import type {
  ClassroomRecordedLessons,
  JoinLink,
  LessonBoard,
  LessonReport,
  StReport,
} from '@cloudschool/protocol';
import type { LessonService } from '../services/LessonService.ts';
import type { PresenceTracker } from '../services/PresenceTracker.ts';
import { lessonView } from '../services/views.ts';
import { tally } from '../lesson/interactionViews.ts';
import type { QualityLevel } from '@cloudschool/protocol';
import type {
  AccountStore,
  AttendanceStore,
  BoardStore,
  LessonStore,
  QualityStore,
  AlertStore,
  LessonEventStore,
  RecordingStore,
  RoomStore,
  RosterStore,
} from '../store/Store.ts';
import { sendCsv } from './csv.ts';
import { parse, requireAccount, requireRole } from './middleware.ts';

const MAX_RANGE_MS = 62 * 24 * 3600_000;

export interface LessonRouteDeps {
  store: LessonStore &
    RosterStore &
    AccountStore &
    AttendanceStore &
    RoomStore &
    BoardStore &
    QualityStore &
    AlertStore &
    LessonEventStore &
    Pick<RecordingStore, 'listRecordings'>;
  lessons: LessonService;
  presence: PresenceTracker;
  /** Origin used in join links; by default the one the request came in on. */
  publicUrl: string | undefined;
  /** Invited classrooms by quality level now, if the lesson runs on this node. */
  liveQuality: (lesson: Lesson) => Record<QualityLevel, number> | null;
  /** Limits wrong classroom codes (POST /api/join/code). */
  codeEntry: CodeEntryLimiter;
}

export function lessonRoutes(deps: LessonRouteDeps): express.Router {
  const { store, lessons, presence } = deps;
  const router = express.Router();
  const origin = (req: Request): string =>
    deps.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  const view = async (lesson: Lesson) => {
    const [classroom, teacher] = await Promise.all([
      store.getClassroom(lesson.hostClassroomId),
      store.getAccount(lesson.hostTeacherId),
    ]);
    const school = classroom && (await store.getSchool(classroom.schoolId));
    return lessonView(lesson, Date.now(), {
      timeZone: school?.timeZone,
      hostClassroomName: classroom?.name ?? '',
      hostSchoolName: school?.name ?? '',
      hostTeacherName: teacher?.displayName ?? '',
    });
  };
  /** A coordinator sees every lesson; a teacher only those they host. */
  const visible = async (id: string, account: Account): Promise<Lesson> => {
    const lesson = await lessons.get(id);
    if (account.role !== 'coordinator' && lesson.hostTeacherId !== account.id) {
      throw new AppError('forbidden', 'this is not your lesson');
    }
    return lesson;
  };

  router.get('/api/lessons', async (req, res) => {
    const account = requireAccount(res);
    const q = parse(listLessonsQuery, req.query);
    const range = { from: Date.parse(q.from), to: Date.parse(q.to) };
    if (!(range.to > range.from) || range.to - range.from > MAX_RANGE_MS) {
      throw new AppError('bad_request', 'the range must be positive and at most 62 days');
    }
    const found = (await store.listLessons(range)).filter(
      (l) => account.role === 'coordinator' || l.hostTeacherId === account.id,
    );
    res.json({ lessons: await Promise.all(found.map(view)) });
  });

  router.post('/api/lessons', requireRole('coordinator'), async (req, res) => {
    const created = await lessons.create(parse(lessonRequest, req.body), requireAccount(res));
    res.status(201).json({ lessons: await Promise.all(created.map(view)) });
  });

  router.get('/api/lessons/:id', async (req, res) => {
    res.json({ lesson: await view(await visible(String(req.params.id), requireAccount(res))) });
  });

  router.put('/api/lessons/:id', requireRole('coordinator'), async (req, res) => {
    const input = parse(lessonRequest.omit({ repeatWeeklyUntil: true }), req.body);
    res.json({ lesson: await view(await lessons.update(String(req.params.id), input)) });
  });

  router.post('/api/lessons/:id/cancel', requireRole('coordinator'), async (req, res) => {
    res.json({ lesson: await view(await lessons.cancel(String(req.params.id))) });
  });

  router.post('/api/lessons/:id/start', requireRole('teacher'), async (req, res) => {
    res.json({ lesson: await view(await lessons.start(String(req.params.id), requireAccount(res))) });
  });

  router.post('/api/lessons/:id/end', requireRole('teacher', 'coordinator'), async (req, res) => {
    res.json({ lesson: await view(await lessons.end(String(req.params.id), requireAccount(res))) });
  });

  router.get('/api/lessons/:id/links', requireRole('coordinator'), async (req, res) => {
    const lesson = await lessons.get(String(req.params.id));
    const base = origin(req);
    const links: JoinLink[] = [];
    for (const id of lesson.invitedClassroomIds) {
      const classroom = await store.getClassroom(id);
      if (!classroom) continue;
      const school = await store.getSchool(classroom.schoolId);
      const token = await lessons.joinToken(lesson, id);
      const calendarKey = await lessons.tokens.signCalendar(id, classroom.code);
      links.push({
        classroomId: id,
        classroomName: classroom.name,
        schoolName: school?.name ?? '',
        code: classroom.code,
        url: `${base}/classroom/${lesson.id}?t=${token}`,
        qrUrl: `/api/lessons/${lesson.id}/links/${id}/qr.svg`,
        calendarUrl: `${base}/api/calendar/${id}.ics?key=${calendarKey}`,
      });
    }
    res.json({ links });
  });

  router.get('/api/lessons/:id/links/:classroomId/qr.svg', requireRole('coordinator'), async (req, res) => {
    const lesson = await lessons.get(String(req.params.id));
    const classroomId = String(req.params.classroomId);
    if (!lesson.invitedClassroomIds.includes(classroomId))
      throw new AppError('not_found', 'classroom not invited');
    const url = `${origin(req)}/classroom/${lesson.id}?t=${await lessons.joinToken(lesson, classroomId)}`;
    res
      .type('image/svg+xml')
      .send(await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
  });

  router.get('/api/calendar/:file', async (req, res) => {
    const classroomId = String(req.params.file).replace(/\.ics$/, '');
    const key = typeof req.query.key === 'string' ? req.query.key : '';
    const calendar = await lessons.tokens.verifyCalendar(key);
    const classroom = await store.getClassroom(classroomId);
    if (calendar.classroomId !== classroomId || !classroom || codeFingerprint(classroom.code) !== calendar.cf)
      throw new AppError('invalid_token', 'wrong calendar key');
    const now = Date.now();
    const mine = (
      await store.listLessons({ from: now - 30 * 86_400_000, to: now + 180 * 86_400_000 })
    ).filter((l) => l.invitedClassroomIds.includes(classroomId));
    const base = origin(req);
    const urls = new Map<string, string>();
    for (const l of mine)
      urls.set(l.id, `${base}/classroom/${l.id}?t=${await lessons.joinToken(l, classroomId)}`);
    res
      .type('text/calendar; charset=utf-8')
      .send(classroomCalendar(classroom.name, mine, (l) => urls.get(l.id) ?? `${base}/join`));
  });

  router.get('/api/live', requireRole('coordinator'), async (_req, res) => {
    const now = Date.now();
    // A lesson may have been started up to 15 minutes early and run past its end: look wide, keep the live ones.
    const running = (await store.listLessons({ from: now - MAX_LESSON_MS, to: now + 86_400_000 })).filter(
      (l) => lessonStatus(l, now) === 'live',
    );
    res.json({
      lessons: await Promise.all(
        running.map(async (l) => ({
          lesson: await view(l),
          invited: l.invitedClassroomIds.length,
          connected: (await presence.connectedClassrooms(l.id)).size,
          quality: deps.liveQuality(l),
        })),
      ),
    });
  });

  router.get('/api/teacher/today', requireRole('teacher'), async (_req, res) => {
    const account = requireAccount(res);
    const today = dayIn(Date.now(), DEFAULT_TIME_ZONE);
    const mine = (await store.listLessons(today)).filter((l) => l.hostTeacherId === account.id);
    res.json({ lessons: await Promise.all(mine.map(view)) });
  });

  const report = async (id: string, account: Account, stIntervalMs: number): Promise<LessonReport> => {
    const lesson = await visible(id, account);
    const [events, classrooms, schools, questions, quizzes, quality, board, history, log, alerts] =
      await Promise.all([
        store.listAttendance(lesson.id),
        store.listClassrooms(),
        store.listSchools(),
        store.listQuestions(lesson.id),
        store.listQuizzes(lesson.id),
        store.listQualityTimes(lesson.id),
        store.loadBoard(lesson.id),
        boardHistory(store, lesson.id),
        store.listLessonEvents(lesson.id),
        store.listLessonAlerts(lesson.id),
      ]);
    const answers = await Promise.all(quizzes.map((q) => store.listQuizAnswers(lesson.id, q.id)));
    const rows = attendanceReport(
      lesson,
      events,
      new Map(classrooms.map((c) => [c.id, c])),
      new Map(schools.map((s) => [s.id, s])),
      Date.now(),
      new Map(quality.map((q) => [q.classroomId, q])),
    );
    const classroomName = new Map(classrooms.map((c) => [c.id, c.name]));
    const schoolOf = new Map(
      classrooms.map((c) => [c.id, schools.find((x) => x.id === c.schoolId)?.name ?? '']),
    );
    const name = (id: string): string => `${schoolOf.get(id) ?? ''} ${classroomName.get(id) ?? id}`.trim();
    return {
      lesson: await view(lesson),
      rows,
      questions: questions.map((q) => ({
        classroomName: name(q.classroomId),
        text: q.text,
        state: q.state,
        votes: q.voters.length,
        askedAt: new Date(q.createdAt).toISOString(),
      })),
      quizzes: quizzes.map((q, i) => ({
        question: q.question,
        options: q.options,
        tally: tally(q.options.length, answers[i] ?? []),
        answeredClassrooms: answers[i]?.length ?? 0,
        startedAt: new Date(q.startedAt).toISOString(),
      })),
      st: stReport(
        recordedTimeline(
          lesson,
          {
            questions,
            quizzes,
            answers: answers.flat(),
            events: log,
            boardOps: history,
            boardSnapshotSeq: board.snapshot?.seq ?? 0,
          },
          Date.now(),
        ),
        stIntervalMs,
      ),
      alerts: alerts.map((a) => ({
        kind: a.kind,
        classroomName: a.classroomId === null ? null : name(a.classroomId),
        since: new Date(a.since).toISOString(),
        endedAt: a.endedAt === null ? null : new Date(a.endedAt).toISOString(),
      })),
    };
  };

  router.get('/api/lessons/:id/report', async (req, res) => {
    const { st_interval } = parse(reportQuery, req.query);
    res.json(await report(String(req.params.id), requireAccount(res), st_interval * 1000));
  });

  router.get('/api/lessons/:id/report.csv', async (req, res) => {
    const { st_interval } = parse(reportQuery, req.query);
    const r = await report(String(req.params.id), requireAccount(res), st_interval * 1000);
    sendCsv(res, `report-${r.lesson.id}.csv`, [
      [
        'school',
        'classroom',
        'first_join',
        'last_leave',
        'minutes_present',
        'attendance',
        'minutes_good',
        'minutes_fair',
        'minutes_poor',
        'minutes_bad',
      ],
      ...r.rows.map((row) => [
        row.schoolName,
        row.classroomName,
        row.firstJoinAt ?? '',
        row.lastLeaveAt ?? '',
        row.minutesPresent,
        row.attendance,
        row.qualityMinutes.good,
        row.qualityMinutes.fair,
        row.qualityMinutes.poor,
        row.qualityMinutes.bad,
      ]),
    ]);
  });

  /**
   * The board of a lesson, running or over, for its export from the report. Read from the store even while
   * the lesson runs: a running board stores every operation before it applies it, so the store is never
   * behind it, and loadBoard reads the snapshot and the log at one instant (never across a compaction).
   */
  router.get('/api/lessons/:id/board', async (req, res) => {
    const account = requireAccount(res);
    const lesson = await visible(parse(lessonParams, req.params).id, account);
    const stored = await store.loadBoard(lesson.id);
    const answer: LessonBoard = { board: applyOps(stored.snapshot ?? initialBoard(), stored.ops) };
    res.json(answer);
  });

  /**
   * A classroom types its 6-character code. Wrong codes are limited per source (50 freely, then waits
   * doubling from 1 s to 1 min) and together (500 per clock hour, then none until the hour is over), in
   * the store, across nodes (CodeEntryLimiter). Only an entry that opens a lesson is given back. 31^6 ≈
   * 887.5 million codes: with 1,000 classrooms expecting a lesson, one is hit after ≈ 887,500 guesses on
   * average, ≈ 74 days of the whole hourly budget, ≈ 1.7 years from one address (signaling/src/auth/README.md).
   */
  router.post('/api/join/code', async (req, res) => {
    const { code } = parse(joinByCodeRequest, req.body);
    const attempt = await deps.codeEntry.begin(sourceOf(req.ip));
    const classroom = await store.getClassroomByCode(code);
    const lesson = classroom && (await lessons.currentLessonOf(classroom.id));
    if (!classroom || !lesson) throw new AppError('not_found', 'no lesson for this classroom code today');
    // Given back only here: a code without a lesson counts like a wrong one, so neither tells codes apart.
    await attempt.succeeded();
    res.json({ lessonId: lesson.id, token: await lessons.joinToken(lesson, classroom.id) });
  });

  /**
   * A classroom types its code to watch its past lessons again: the recorded lessons it was invited to in
   * the last RECORDED_LESSONS_DAYS days, each with a link that reads only that lesson's files. Limited like
   * joining by code: a code with nothing to give back counts as a wrong one.
   */
  router.post('/api/join/code/recordings', async (req, res) => {
    const { code } = parse(joinByCodeRequest, req.body);
    const attempt = await deps.codeEntry.begin(sourceOf(req.ip));
    const classroom = await store.getClassroomByCode(code);
    const now = Date.now();
    const invited = classroom
      ? (await store.listLessons({ from: now - RECORDED_LESSONS_DAYS * 86_400_000, to: now }))
          .filter((l) => l.invitedClassroomIds.includes(classroom.id) && l.status !== 'cancelled')
          .sort((a, b) => b.startsAt - a.startsAt)
      : [];
    const recorded = [];
    for (const lesson of invited) {
      if (recorded.length === MAX_RECORDED_LESSONS) break;
      if ((await store.listRecordings(lesson.id)).length > 0) recorded.push(lesson);
    }
    if (!classroom || recorded.length === 0)
      throw new AppError('not_found', 'no recorded lesson for this code');
    await attempt.succeeded();
    const answer: ClassroomRecordedLessons = {
      lessons: await Promise.all(
        recorded.map(async (l) => ({
          lessonId: l.id,
          title: l.title,
          startsAt: new Date(l.startsAt).toISOString(),
          token: await lessons.joinToken(l, classroom.id),
        })),
      ),
    };
    res.json(answer);
  });

  return router;
}

/** A classroom's recorded lessons given back at once by its code. */
const MAX_RECORDED_LESSONS = 50;

/** The S-T analysis of a recorded timeline, as the report gives it (null before the start or under one sample). */
function stReport(timeline: ReturnType<typeof recordedTimeline>, intervalMs: number): StReport | null {
  if (!timeline) return null;
  const st = stAnalysis(timeline.events, timeline.span, intervalMs);
  if (!st) return null;
  return {
    intervalSeconds: intervalMs / 1000,
    samples: st.samples.join(''),
    n: st.n,
    t: st.nT,
    runs: st.runs,
    rt: st.rt,
    ch: st.ch,
    kind: st.kind,
    curve: st.curve,
    evidence: timeline.evidence,
    notRecorded: timeline.notRecorded,
    boardComplete: timeline.boardComplete,
  };
}
