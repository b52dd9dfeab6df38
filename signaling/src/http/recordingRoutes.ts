import express from 'express';
import type { LessonRecordings, RecordingView } from '@cloudschool/protocol';
import type { JoinTokens } from '../auth/JoinTokens.ts';
import type { LessonStore, RecordingStore, RosterStore } from '../store/Store.ts';
import { readableLesson } from './lessonReaders.ts';

export interface RecordingRouteDeps {
  store: LessonStore & RosterStore & RecordingStore;
  tokens: JoinTokens;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** A lesson's recordings and their segments, for whoever may read the lesson (lessonReaders.ts). */
export function recordingRoutes(deps: RecordingRouteDeps): express.Router {
  const { store, tokens } = deps;
  const router = express.Router();

  router.get('/api/lessons/:id/recordings', async (req, res) => {
    const lesson = await readableLesson(req, res, store, tokens);
    const recordings: RecordingView[] = [];
    for (const r of await store.listRecordings(lesson.id)) {
      const segments = await store.listRecordingSegments(r.id);
      recordings.push({
        id: r.id,
        startedAt: iso(r.startedAt),
        endedAt: r.endedAt === null ? null : iso(r.endedAt),
        status: r.status,
        durationMs: segments.reduce((sum, s) => sum + s.durationMs, 0),
        segments: segments.map((s) => ({
          file: s.file,
          startedAt: iso(s.startedAt),
          durationMs: s.durationMs,
        })),
      });
    }
    const body: LessonRecordings = { recordings };
    res.json(body);
  });

  return router;
}
