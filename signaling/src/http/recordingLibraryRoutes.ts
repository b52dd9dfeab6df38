import express from 'express';
import {
  addDays,
  calendarDate,
  LIBRARY_MAX_DAYS,
  recordingLibraryQuery,
  retentionBody,
  teacherRecordingsQuery,
} from '@cloudschool/protocol';
import type { LibraryRecording, RecordingLibraryPage, RetentionView } from '@cloudschool/protocol';
import type { z } from 'zod';
import type { Audit } from '../auth/Audit.ts';
import { sourceOf } from '../auth/limits.ts';
import { DEFAULT_TIME_ZONE } from '../domain/roster.ts';
import { endOfDayIn } from '../domain/schedule.ts';
import type { Lesson } from '../domain/types.ts';
import { AppError } from '../errors.ts';
import type { RetentionSweeper } from '../recording/RetentionSweeper.ts';
import type { Recording } from '../store/entities/recordings.ts';
import type { AccountStore, LessonStore, RecordingStore, RosterStore } from '../store/Store.ts';
import { parse, requireAccount, requireRole } from './middleware.ts';

/** The most lessons one listing reads (a large district's year); a wider filter: 400. */
export const LIBRARY_MAX_LESSONS = 20_000;
/** Lessons whose recordings are read at once: enough to overlap the store's round trips, not to flood it. */
const READ_BATCH = 16;

export interface RecordingLibraryDeps {
  store: LessonStore & RosterStore & AccountStore & RecordingStore;
  audit: Audit;
  /** Swept at once after the retention changes (the hourly sweep would come later). */
  sweeper: Pick<RetentionSweeper, 'sweepSoon'>;
}

type Query = z.output<typeof recordingLibraryQuery>;

const iso = (ms: number): string => new Date(ms).toISOString();

/** The days asked for: a side left out is filled to cover LIBRARY_MAX_DAYS, up to today by default. */
function dayRange(q: Query): { from: number; to: number } {
  const lastDay =
    q.to ?? (q.from ? addDays(q.from, LIBRARY_MAX_DAYS - 1) : calendarDate(Date.now(), DEFAULT_TIME_ZONE));
  const firstDay = q.from ?? addDays(lastDay, -(LIBRARY_MAX_DAYS - 1));
  return {
    from: endOfDayIn(addDays(firstDay, -1), DEFAULT_TIME_ZONE) + 1,
    to: endOfDayIn(lastDay, DEFAULT_TIME_ZONE) + 1,
  };
}

/** Newest first; equal starts by id, so a cursor (start and id) finds its place. */
const newestFirst = (a: Recording, b: Recording): number =>
  b.startedAt - a.startedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * The library: recordings of the lessons that start in the range and pass the filters, newest first, one
 * page at a time. Read from the store on each request (a lesson's recordings are kept per lesson).
 */
async function library(store: RecordingLibraryDeps['store'], q: Query): Promise<RecordingLibraryPage> {
  const range = dayRange(q);
  const [classrooms, schools, accounts] = await Promise.all([
    store.listClassrooms(),
    store.listSchools(),
    store.listAccounts(),
  ]);
  const schoolOfClassroom = new Map(classrooms.map((c) => [c.id, c.schoolId]));
  const schoolName = new Map(schools.map((s) => [s.id, s.name]));
  const teacherName = new Map(accounts.map((a) => [a.id, a.displayName]));
  const schoolOf = (lesson: Lesson): string | undefined => schoolOfClassroom.get(lesson.hostClassroomId);

  // Lessons overlapping the range include some that started the day before: only those starting in it count.
  const lessons = (await store.listLessons(range)).filter(
    (l) =>
      l.startsAt >= range.from &&
      (q.teacher === undefined || l.hostTeacherId === q.teacher) &&
      (q.school === undefined || schoolOf(l) === q.school),
  );
  if (lessons.length > LIBRARY_MAX_LESSONS) {
    throw new AppError('bad_request', `the filters match more than ${LIBRARY_MAX_LESSONS} lessons`);
  }
  const recordings: Recording[] = [];
  for (let i = 0; i < lessons.length; i += READ_BATCH) {
    const batch = lessons.slice(i, i + READ_BATCH);
    recordings.push(...(await Promise.all(batch.map((l) => store.listRecordings(l.id)))).flat());
  }
  recordings.sort(newestFirst);
  let start = 0;
  if (q.cursor !== undefined) {
    // `<startedAt>:<id>` of the last recording shown: the page goes on with the first one after it.
    const colon = q.cursor.indexOf(':');
    const last = { startedAt: Number(q.cursor.slice(0, colon)), id: q.cursor.slice(colon + 1) };
    const after = recordings.findIndex((r) => newestFirst(r, { ...r, ...last }) > 0);
    start = after === -1 ? recordings.length : after;
  }
  const page = recordings.slice(start, start + q.limit);
  const more = start + q.limit < recordings.length;
  const lessonById = new Map(lessons.map((l) => [l.id, l]));
  const items = await Promise.all(
    page.map(async (r): Promise<LibraryRecording> => {
      const lesson = lessonById.get(r.lessonId)!;
      const segments = await store.listRecordingSegments(r.id);
      const schoolId = schoolOf(lesson);
      return {
        id: r.id,
        lessonId: lesson.id,
        lessonTitle: lesson.title,
        lessonStartsAt: iso(lesson.startsAt),
        hostTeacher: { id: lesson.hostTeacherId, name: teacherName.get(lesson.hostTeacherId) ?? '' },
        school: schoolId === undefined ? null : { id: schoolId, name: schoolName.get(schoolId) ?? '' },
        startedAt: iso(r.startedAt),
        endedAt: r.endedAt === null ? null : iso(r.endedAt),
        status: r.status,
        durationMs: segments.reduce((sum, s) => sum + s.durationMs, 0),
        bytes: segments.reduce((sum, s) => sum + (s.bytes ?? 0), 0),
        replayUrl: `/replay/${encodeURIComponent(lesson.id)}`,
      };
    }),
  );
  const last = page.at(-1);
  return { recordings: items, next: more && last ? `${last.startedAt}:${last.id}` : null };
}

/**
 * The recordings library and its retention: GET /api/recordings (coordinators: all, by teacher, school and
 * days), GET /api/teacher/recordings (a teacher's own lessons'), GET/PUT /api/recordings/retention
 * (coordinators; audit-logged). A classroom lists its lesson's recordings with its link (recordingRoutes.ts)
 * and plays them with the same check (replayRoutes.ts).
 */
export function recordingLibraryRoutes(deps: RecordingLibraryDeps): express.Router {
  const { store, audit, sweeper } = deps;
  const router = express.Router();

  router.get('/api/recordings', requireRole('coordinator'), async (req, res) => {
    res.json(await library(store, parse(recordingLibraryQuery, req.query)));
  });

  router.get('/api/teacher/recordings', async (req, res) => {
    const account = requireAccount(res, 'teacher');
    const q = parse(teacherRecordingsQuery, req.query);
    res.json(await library(store, { ...q, teacher: account.id }));
  });

  const view = async (): Promise<RetentionView> => {
    const retention = await store.getRecordingRetention();
    if (!retention) return { days: null, setBy: null, setAt: null };
    const by = await store.getAccount(retention.setBy);
    return {
      days: retention.days,
      setBy: { id: retention.setBy, name: by?.displayName ?? '' },
      setAt: iso(retention.setAt),
    };
  };

  router.get('/api/recordings/retention', requireRole('coordinator'), async (_req, res) => {
    res.json(await view());
  });

  router.put('/api/recordings/retention', async (req, res) => {
    const account = requireAccount(res, 'coordinator');
    const { days } = parse(retentionBody, req.body);
    const before = (await store.getRecordingRetention())?.days ?? null;
    await store.putRecordingRetention({ days, setBy: account.id, setAt: Date.now() });
    await audit.record({
      kind: 'recording_retention_set',
      actor: { id: account.id, username: account.username },
      source: sourceOf(req.ip),
      details: { from: before, to: days },
    });
    sweeper.sweepSoon();
    res.json(await view());
  });

  return router;
}
