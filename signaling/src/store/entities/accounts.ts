import { z } from 'zod';
import { entity } from '../entity.ts';
import { id, time } from './fields.ts';

/** Coordinators' and teachers' accounts and their login sessions (AccountStore). */

export const accounts = entity({
  name: 'account',
  schema: z.object({
    id,
    username: z.string().min(1),
    displayName: z.string(),
    role: z.enum(['coordinator', 'teacher']),
    passwordHash: z.string(),
    createdAt: time,
    /** A disabled account cannot log in (absent in records written before accounts could be disabled). */
    disabled: z.boolean().optional(),
  }),
  scope: [],
  id: 'id',
  unique: 'username',
  order: ['id'],
  sqlite: { table: 'accounts', columns: ['id', 'username'], data: 'record' },
  redis: { string: 'account', index: { key: 'accounts' }, unique: 'account-username' },
});

export type Account = z.infer<typeof accounts.schema>;
export type AccountRole = Account['role'];

export const sessions = entity({
  name: 'session',
  schema: z.object({
    /** sha256 of the cookie value: a stolen database does not yield live cookies. */
    id,
    accountId: id,
    expiresAt: time,
  }),
  scope: [],
  id: 'id',
  expiresAt: 'expiresAt',
  sqlite: { table: 'sessions', columns: ['id', 'accountId', 'expiresAt'] },
  redis: { string: 'session' },
});

export type Session = z.infer<typeof sessions.schema>;

/**
 * What is known of a login session beside its key: when and from where it was opened. Kept per account,
 * so an account's sessions can be listed and ended together (Redis: a hash per account, session id →
 * record; SQLite: a row each). Expired records are handed out by no one and dropped when listed.
 */
export const logins = entity({
  name: 'login',
  schema: z.object({
    accountId: id,
    /** The session's id (the cookie's hash). */
    sessionId: id,
    createdAt: time,
    expiresAt: time,
    /** The client address (express's req.ip: behind a trusted proxy, the forwarded one). */
    source: z.string().max(64),
    userAgent: z.string().max(256),
  }),
  scope: ['accountId'],
  id: 'sessionId',
  expiresAt: 'expiresAt',
  order: ['createdAt', 'sessionId'],
  sqlite: { table: 'logins', columns: ['accountId', 'sessionId', 'expiresAt'], data: 'record' },
  redis: { hash: 'logins' },
});

export type Login = z.infer<typeof logins.schema>;
