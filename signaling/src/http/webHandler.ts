import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.ts';

/** The SvelteKit app (adapter-node's handler), or a clear page saying it has not been built. */
export async function loadWebHandler(file: string, log: Logger): Promise<RequestHandler> {
  if (!existsSync(file)) {
    log.warn({ file }, 'web UI not built; run `npm run build`');
    return (_req, res) => {
      res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('CloudSchool web UI is not built: run `npm run build`.\n');
    };
  }
  const mod: unknown = await import(pathToFileURL(file).href);
  if (typeof mod !== 'object' || mod === null || !('handler' in mod) || typeof mod.handler !== 'function') {
    throw new Error(`${file} does not export a handler`);
  }
  const handler = mod.handler;
  return (req, res, next) => handler(req, res, next);
}
