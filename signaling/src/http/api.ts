import express from 'express';
import type { Sfu } from '@cloudschool/sfu';
import type { LessonRegistry } from '../lesson/LessonRegistry.ts';
import { requireRole } from './middleware.ts';

/** Health for load balancers, and the live media state of a running lesson (coordinators). */
export function healthRoutes(deps: { sfu: Sfu; lessons: LessonRegistry }): express.Router {
  const router = express.Router();

  router.get('/healthz', (_req, res) => {
    const workers = deps.sfu.workerPids.length;
    res.status(workers > 0 ? 200 : 503).json({ ok: workers > 0, workers, lessons: deps.lessons.size });
  });

  router.get('/api/lessons/:lessonId/state', requireRole('coordinator'), (req, res) => {
    const lesson = deps.lessons.get(String(req.params.lessonId));
    if (!lesson) {
      res.status(404).json({ error: { code: 'not_found', message: 'lesson is not running on this node' } });
      return;
    }
    res.json(lesson.state());
  });

  /** Who receives how many audio and video streams: the truth of what the SFU forwards. */
  router.get('/api/lessons/:lessonId/media', requireRole('coordinator'), (req, res) => {
    const lesson = deps.lessons.get(String(req.params.lessonId));
    if (!lesson) {
      res.status(404).json({ error: { code: 'not_found', message: 'lesson is not running on this node' } });
      return;
    }
    res.json(lesson.mediaReport());
  });

  return router;
}
