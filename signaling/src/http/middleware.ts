import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import type { z } from 'zod';
import { prettifyError } from 'zod';
import type { Sessions } from '../auth/Sessions.ts';
import { SESSION_COOKIE } from '../auth/Sessions.ts';
import type { Account, AccountRole } from '../domain/types.ts';
import { AppError, toAckError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ErrorCode } from '@cloudschool/protocol';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  bad_csv: 400,
  unknown_event: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_token: 401,
  forbidden: 403,
  outside_window: 403,
  account_disabled: 403,
  not_found: 404,
  conflict: 409,
  last_coordinator: 409,
  already_joined: 409,
  device_pending: 409,
  not_joined: 409,
  lesson_closed: 409,
  rate_limited: 429,
  media_error: 500,
  disk_full: 507,
  recording_elsewhere: 409,
  internal: 500,
};

export function sessionCookie(req: Request): string | undefined {
  return parseCookies(req.headers.cookie ?? '')[SESSION_COOKIE];
}

/** Resolves the login session once per request into res.locals.account. */
export function withAccount(sessions: Sessions): RequestHandler {
  return async (req, res, next) => {
    res.locals.account = await sessions.resolve(sessionCookie(req));
    next();
  };
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      account?: Account | undefined;
    }
  }
}

export function accountOf(res: Response): Account | undefined {
  return res.locals.account;
}

/** The logged-in account, or 401; with roles, 403 for any other role. */
export function requireAccount(res: Response, ...roles: AccountRole[]): Account {
  const account = accountOf(res);
  if (!account) throw new AppError('unauthenticated', 'log in first');
  if (roles.length > 0 && !roles.includes(account.role))
    throw new AppError('forbidden', 'your account may not do this');
  return account;
}

export function requireRole(...roles: AccountRole[]): RequestHandler {
  return (_req, res, next: NextFunction) => {
    requireAccount(res, ...roles);
    next();
  };
}

/** The request body (or query) parsed by a schema, or 400 naming what is wrong. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError('bad_request', prettifyError(result.error));
  return result.data;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    // express.json() and express.text() report bodies too large or malformed this way; so do a body whose
    // compression is broken and a path parameter that does not decode (`%zz`): a 4xx status, no `type`.
    if (
      typeof error === 'object' &&
      error !== null &&
      'status' in error &&
      Number(error.status) >= 400 &&
      Number(error.status) < 500
    ) {
      const status = Number(error.status);
      res.status(status).json({
        error: {
          code: 'bad_request',
          message: status === 413 ? 'request body too large' : 'malformed request body',
        },
      });
      return;
    }
    const { ack, unexpected } = toAckError(error);
    if (unexpected) log.error({ err: error }, 'request failed');
    const details = error instanceof AppError ? error.details : {};
    // A refusal that says when to come back (auth/limits.ts) says it in HTTP's own words too.
    if (ack.code === 'rate_limited' && typeof details.retryAfter === 'number')
      res.set('Retry-After', String(details.retryAfter));
    res.status(STATUS[ack.code]).json({ error: { ...details, ...ack } });
  };
}
