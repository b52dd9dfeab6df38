import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { AppError } from '../errors.ts';

/**
 * Which sites may make a browser act with its login here. A page of another site can make a logged-in
 * browser send a POST (a form, or a fetch without a body's preflight), and can open a Socket.IO connection
 * that carries the cookie; both say where they come from (`Origin`, or `Referer`). Only the allowed origins
 * (`ALLOWED_ORIGINS`; `PUBLIC_URL` by default; else the origin the request itself came in on) may change
 * anything. A request that names no origin at all is not a browser's (browsers name it on every
 * cross-site request): scripts and the CLI have no cookie to abuse.
 */
export class Origins {
  readonly #allowed: ReadonlySet<string>;

  constructor(allowed: readonly string[]) {
    this.#allowed = new Set(allowed.map((o) => new URL(o).origin));
  }

  /**
   * Whether the request comes from an allowed origin (or names none). Without an allow-list: from this very
   * host (`Host`, or `X-Forwarded-Host` behind a proxy — a foreign page cannot set either on a browser's
   * request).
   */
  allows(req: IncomingMessage): boolean {
    const claimed = originOf(req);
    if (claimed === undefined) return true;
    if (this.#allowed.size > 0) return this.#allowed.has(claimed);
    if (claimed === 'null') return false;
    const host = new URL(claimed).host;
    const forwarded = req.headers['x-forwarded-host'];
    return (
      host === req.headers.host || (typeof forwarded === 'string' && forwarded.split(',')[0]?.trim() === host)
    );
  }

  /** Refuses state-changing requests (anything but GET, HEAD, OPTIONS) from a foreign origin. */
  guard(): RequestHandler {
    return (req, _res, next) => {
      if (SAFE.has(req.method) || this.allows(req)) return next();
      next(new AppError('forbidden', 'this request comes from another site'));
    };
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin a browser says a request comes from: `Origin`, else the origin of `Referer`. */
function originOf(req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  if (origin !== undefined) return origin === 'null' ? 'null' : safeOrigin(origin);
  const referer = req.headers.referer;
  return referer === undefined ? undefined : safeOrigin(referer);
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'null';
  }
}

/**
 * Security headers for everything the server answers (helmet): no framing by other sites, no referrer
 * (join links carry tokens), HSTS under TLS, nosniff. API answers get a CSP that allows nothing (they are
 * data); the pages' CSP comes from SvelteKit, which adds the hashes and nonces of its own inline scripts
 * (web/vite.config.ts).
 */
export function securityHeaders(): { api: RequestHandler; pages: RequestHandler } {
  const common = {
    referrerPolicy: { policy: 'no-referrer' as const },
    frameguard: { action: 'deny' as const },
  };
  return {
    api: helmet({
      ...common,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] },
      },
    }),
    pages: helmet({ ...common, contentSecurityPolicy: false }),
  };
}
