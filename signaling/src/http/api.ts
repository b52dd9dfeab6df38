import express from 'express';
import type { NodePipes, Sfu } from '@cloudschool/sfu';
import type { NodeRegistry } from '../cluster/NodeRegistry.ts';
import type { LessonRegistry } from '../lesson/LessonRegistry.ts';
import { requireRole } from './middleware.ts';

export interface HealthDeps {
  sfu: Sfu;
  lessons: LessonRegistry;
  pipes: NodePipes;
  nodeId: string;
  /** Absent on a node alone. */
  registry: NodeRegistry | undefined;
}

/** Health for load balancers, the cluster's nodes, and the live media state of a running lesson (coordinators). */
export function healthRoutes(deps: HealthDeps): express.Router {
  const router = express.Router();

  router.get('/healthz', (_req, res) => {
    const workers = deps.sfu.workerPids.length;
    res
      .status(workers > 0 ? 200 : 503)
      .json({ ok: workers > 0, node: deps.nodeId, workers, lessons: deps.lessons.size });
  });

  /** The nodes of the cluster and their load (this node alone when there is no cluster). */
  router.get('/api/cluster/nodes', requireRole('coordinator'), async (_req, res) => {
    res.json({ nodes: deps.registry ? await deps.registry.nodes() : [], self: deps.nodeId });
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
    res.json({ node: deps.nodeId, ...lesson.mediaReport(), links: await deps.pipes.report(lesson.id) });
  });

  return router;
}
