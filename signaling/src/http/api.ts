import express from 'express';
import type { Sfu } from '@cloudschool/sfu';
import { lessonId } from '../protocol/index.ts';
import type { LessonRegistry } from '../lesson/LessonRegistry.ts';

/** The HTTP API: health for load balancers and the live state of a lesson. */
export function createApiRouter(deps: { sfu: Sfu; lessons: LessonRegistry }): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '100kb' }));

  router.get('/healthz', (_req, res) => {
    const workers = deps.sfu.workerPids.length;
    res.status(workers > 0 ? 200 : 503).json({ ok: workers > 0, workers, lessons: deps.lessons.size });
  });

  router.get('/api/lessons/:lessonId/state', (req, res) => {
    const id = lessonId.safeParse(req.params.lessonId);
    if (!id.success) {
      res.status(400).json({ error: { code: 'bad_request', message: 'invalid lesson id' } });
      return;
    }
    const lesson = deps.lessons.get(id.data);
    if (!lesson) {
      res.status(404).json({ error: { code: 'not_found', message: 'lesson is not running' } });
      return;
    }
    res.json(lesson.state());
  });

  return router;
}
