import express from 'express';
import { z } from 'zod';
import type { LessonReplay, ReplayExport, ReplayPart } from '@cloudschool/protocol';
import type { JoinTokens } from '../auth/JoinTokens.ts';
import { AppError } from '../errors.ts';
import type { Mp4Exports } from '../replay/Mp4Export.ts';
import type { ReplayMedia } from '../replay/ReplayMedia.ts';
import { boardHistory } from '../board/history.ts';
import { replayTimeline } from '../replay/timeline.ts';
import type { RecordingSegment } from '../store/entities/recordings.ts';
import type {
  BoardStore,
  LessonEventStore,
  LessonStore,
  RecordingStore,
  RoomStore,
  RosterStore,
} from '../store/Store.ts';
import { exportableLesson, readableLesson } from './lessonReaders.ts';
import { parse } from './middleware.ts';

export interface ReplayRouteDeps {
  store: LessonStore & RosterStore & RecordingStore & BoardStore & RoomStore & LessonEventStore;
  tokens: JoinTokens;
  media: ReplayMedia;
  exports: Mp4Exports;
}

const replayQuery = z.object({ recording: z.string().min(1).max(64).optional(), t: z.string().optional() });
const exportParams = z.object({ id: z.string(), recordingId: z.string().min(1).max(64) });
const mediaParams = z.object({
  id: z.string(),
  recordingId: z.string().min(1).max(64),
  file: z.string().regex(/^\d{1,4}\.webm$/),
});

/** A recording's segments grouped by ffmpeg run, each run one part of the replay. */
function partsOf(segments: readonly RecordingSegment[], url: (run: number) => string): ReplayPart[] {
  const runs = new Map<number, RecordingSegment[]>();
  for (const s of segments) runs.set(s.run, [...(runs.get(s.run) ?? []), s]);
  return [...runs.entries()]
    .map(([run, list]) => {
      const first = list[0]!;
      const last = list.at(-1)!;
      return {
        run,
        startedAt: first.startedAt,
        durationMs: last.startedAt + last.durationMs - first.startedAt,
        url: url(run),
      };
    })
    .sort((a, b) => a.startedAt - b.startedAt);
}

/** A replay's span: its first part's start to its last part's end. */
function spanOf(parts: readonly ReplayPart[]): { startedAt: number; endedAt: number } {
  return {
    startedAt: parts[0]!.startedAt,
    endedAt: Math.max(...parts.map((p) => p.startedAt + p.durationMs)),
  };
}

/**
 * A recorded lesson's replay, for whoever may read the lesson (lessonReaders.ts: coordinators, its host
 * teacher, its invited classrooms with `?t=`): the timeline (`GET /api/lessons/:id/replay`, the latest
 * recording with anything in it unless `?recording=`), and each run's media as one WebM with Range support.
 */
export function replayRoutes(deps: ReplayRouteDeps): express.Router {
  const { store, tokens, media, exports } = deps;
  const router = express.Router();

  router.get('/api/lessons/:id/replay', async (req, res) => {
    const lesson = await readableLesson(req, res, store, tokens);
    const query = parse(replayQuery, req.query);
    const recordings = await store.listRecordings(lesson.id);
    const withSegments = await Promise.all(
      recordings.map(async (r) => ({ recording: r, segments: await store.listRecordingSegments(r.id) })),
    );
    const chosen = query.recording
      ? withSegments.find((r) => r.recording.id === query.recording)
      : withSegments.filter((r) => r.segments.length > 0).at(-1);
    if (!chosen || chosen.segments.length === 0)
      throw new AppError('not_found', 'this lesson has no recording to replay');
    const token = query.t === undefined ? '' : `?t=${encodeURIComponent(query.t)}`;
    const base = `/api/lessons/${encodeURIComponent(lesson.id)}/replay/${encodeURIComponent(chosen.recording.id)}`;
    const parts = partsOf(chosen.segments, (run) => `${base}/runs/${run}.webm${token}`);
    const { startedAt, endedAt } = spanOf(parts);

    const board = await boardHistory(store, lesson.id);
    const [events, questions, quizzes, classrooms] = await Promise.all([
      store.listLessonEvents(lesson.id),
      store.listQuestions(lesson.id),
      store.listQuizzes(lesson.id),
      Promise.all(lesson.invitedClassroomIds.map((id) => store.getClassroom(id))),
    ]);
    const names = new Map(classrooms.flatMap((c) => (c ? [[c.id, c.name] as const] : [])));
    const { chapters, marks } = replayTimeline({
      ops: board,
      events,
      questions,
      quizzes,
      classroomName: (id) => names.get(id) ?? id,
      from: startedAt,
      to: endedAt,
    });
    const body: LessonReplay = {
      lesson: { id: lesson.id, title: lesson.title },
      recordings: withSegments
        .filter((r) => r.segments.length > 0)
        .map(({ recording: r }) => ({ id: r.id, startedAt: r.startedAt, status: r.status })),
      recordingId: chosen.recording.id,
      startedAt,
      endedAt,
      parts,
      board,
      marks,
      chapters,
    };
    res.json(body);
  });

  router.get('/api/lessons/:id/replay/:recordingId/runs/:file', async (req, res) => {
    const lesson = await readableLesson(req, res, store, tokens);
    const params = parse(mediaParams, req.params);
    const recording = await store.getRecording(lesson.id, params.recordingId);
    if (!recording) throw new AppError('not_found', 'no such recording');
    const run = Number.parseInt(params.file, 10);
    const segments = await store.listRecordingSegments(recording.id);
    if (!segments.some((s) => s.run === run))
      throw new AppError('not_found', 'no such part of the recording');
    const file = await media.file(lesson.id, recording.id, run, segments);
    // sendFile answers Range requests (206) and names the type from the extension (video/webm).
    // no-cache: revalidated (ETag), as a run still recording gets a longer file under the same URL.
    res.sendFile(file, { headers: { 'Cache-Control': 'private, no-cache' } });
  });

  /** The recording, with segments, of an exportable lesson. */
  const exportable = async (req: express.Request, res: express.Response) => {
    const lesson = await exportableLesson(req, res, store);
    const { recordingId } = parse(exportParams, req.params);
    const recording = await store.getRecording(lesson.id, recordingId);
    if (!recording) throw new AppError('not_found', 'no such recording');
    const segments = await store.listRecordingSegments(recording.id);
    if (segments.length === 0) throw new AppError('not_found', 'this recording has nothing to export');
    return { lesson, recording, segments };
  };
  const exportView = (
    lessonId: string,
    recordingId: string,
    status: Omit<ReplayExport, 'url'>,
  ): ReplayExport => ({
    ...status,
    url:
      status.state === 'done'
        ? `/api/lessons/${encodeURIComponent(lessonId)}/replay/${encodeURIComponent(recordingId)}/export.mp4`
        : null,
  });

  router.get('/api/lessons/:id/replay/:recordingId/export', async (req, res) => {
    const { lesson, recording } = await exportable(req, res);
    res.json(exportView(lesson.id, recording.id, await exports.status(lesson.id, recording.id)));
  });

  router.post('/api/lessons/:id/replay/:recordingId/export', async (req, res) => {
    const { lesson, recording, segments } = await exportable(req, res);
    if (recording.status === 'recording')
      throw new AppError('conflict', 'the recording is still being made: export it once it has stopped');
    const parts = partsOf(segments, () => '');
    const board = await boardHistory(store, lesson.id);
    const status = await exports.start({
      lessonId: lesson.id,
      recordingId: recording.id,
      ...spanOf(parts),
      parts: await Promise.all(
        parts.map(async (part) => ({
          startedAt: part.startedAt,
          durationMs: part.durationMs,
          segments: segments.filter((s) => s.run === part.run),
          tracks: await exports.tracksOf(lesson.id, recording.id, part.run),
        })),
      ),
      board,
    });
    res.status(202).json(exportView(lesson.id, recording.id, status));
  });

  router.get('/api/lessons/:id/replay/:recordingId/export.mp4', async (req, res) => {
    const { lesson, recording } = await exportable(req, res);
    const status = await exports.status(lesson.id, recording.id);
    if (status.state !== 'done') throw new AppError('not_found', 'this recording has not been exported');
    const day = new Date(recording.startedAt).toISOString().slice(0, 10);
    // res.download names the file (Content-Disposition, UTF-8 for a Chinese title) and answers Range.
    res.download(exports.file(lesson.id, recording.id), `${lesson.title} ${day}.mp4`, {
      headers: { 'Cache-Control': 'private, no-cache' },
    });
  });

  return router;
}
