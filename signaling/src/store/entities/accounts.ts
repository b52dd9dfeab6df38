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
