import express from 'express';
import type { Sfu } from '@cloudschool/sfu';
import type { LiveLessons } from '../lesson/LiveLessons.ts';
import { unhandledRejections } from '../logger.ts';
import { requireRole } from './middleware.ts';

export interface HealthDeps {
  sfu: Sfu;
  lessons: LiveLessons;
  nodeId: string;
  /** Presence heartbeats running, and pages waiting for their connection. */
  timers: () => { heartbeats: number; waiting: number };
}

/** Health for load balancers, and the live state and media of a lesson running on this node (coordinators). */
export function healthRoutes(deps: HealthDeps): express.Router {
  const router = express.Router();

  router.get('/healthz', (_req, res) => {
    const workers = deps.sfu.workerPids.length;
    res.status(workers > 0 ? 200 : 503).json({
      ok: workers > 0,
      node: deps.nodeId,
      workers,
      lessons: deps.lessons.size,
      pages: deps.lessons.pageCount,
      ...deps.timers(),
      unhandledRejections: unhandledRejections.count,
    });
  });

  router.get('/api/lessons/:lessonId/state', requireRole('coordinator'), (req, res) => {
    const lesson = deps.lessons.get(String(req.params.lessonId));
    if (!lesson) {
      res.status(404).json({ error: { code: 'not_found', message: 'lesson is not running on this node' } });
      return;
    }
    res.json(lesson.state());
  });

  /**
   * Who receives how many audio and video streams on this node, on which worker, and what crosses to and
   * from other nodes (tracks and bytes per link): the truth of what the SFU forwards.
   */
  router.get('/api/lessons/:lessonId/media', requireRole('coordinator'), async (req, res) => {
    const lesson = deps.lessons.get(String(req.params.lessonId));
    if (!lesson) {
      res.status(404).json({ error: { code: 'not_found', message: 'lesson is not running on this node' } });
      return;
    }
    res.json(await lesson.mediaReport());
  });

  return router;
}
