import { createHash, timingSafeEqual } from 'node:crypto';
import express from 'express';
import { EXPOSITION_CONTENT_TYPE } from '../metrics/exposition.ts';
import type { NodeMetrics } from '../metrics/NodeMetrics.ts';

/** SHA-256 of a text: equal-length digests that timingSafeEqual can compare whatever the lengths given. */
const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * GET /metrics for Prometheus, with `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time).
 * Without a token configured there is no endpoint (404); a missing or wrong token gets 401.
 */
export function metricsRoutes(metrics: NodeMetrics | undefined, token: string | undefined): express.Router {
  const router = express.Router();
  const expected = token === undefined ? undefined : digest(token);
  router.get('/metrics', (req, res, next) => {
    if (!metrics || !expected) {
      res.status(404).type('text/plain').send('not found\n');
      return;
    }
    const given = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer realm="metrics"')
        .type('text/plain')
        .send('unauthorized\n');
      return;
    }
    metrics
      .collect()
      .then((text) => res.set('Cache-Control', 'no-store').type(EXPOSITION_CONTENT_TYPE).send(text), next);
  });
  return router;
}
