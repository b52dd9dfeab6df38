import express from 'express';
import { randomUUID } from 'node:crypto';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { LoginLimiter } from '../auth/LoginLimiter.ts';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../auth/Sessions.ts';
import type { Sessions } from '../auth/Sessions.ts';
import { AppError } from '../errors.ts';
import { createAccountRequest, loginRequest } from '@cloudschool/protocol';
import { accountView } from '../services/views.ts';
import type { AccountStore } from '../store/Store.ts';
import { ConflictError } from '../store/Store.ts';
import { parse, requireAccount, requireRole, sessionCookie } from './middleware.ts';

/** Login, logout, who am I, and accounts (coordinators manage them). */
export function authRoutes(deps: {
  store: AccountStore;
  sessions: Sessions;
  /** A login ended: the connections it opened close. */
  loggedOut: (sessionId: string) => void;
}): express.Router {
  const { store, sessions } = deps;
  const router = express.Router();
  const limiter = new LoginLimiter();

  router.post('/api/auth/login', async (req, res) => {
    const { username, password } = parse(loginRequest, req.body);
    const keys = [`ip:${req.ip}`, `user:${username.toLowerCase()}`];
    if (keys.some((k) => limiter.blocked(k))) {
      throw new AppError('rate_limited', 'too many failed logins: try again in 15 minutes');
    }
    const account = await store.getAccountByUsername(username);
    if (!account || !(await verifyPassword(account.passwordHash, password))) {
      keys.forEach((k) => limiter.fail(k));
      throw new AppError('invalid_credentials', 'wrong username or password');
    }
    keys.forEach((k) => limiter.succeed(k));
    res.cookie(SESSION_COOKIE, await sessions.create(account.id), {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      maxAge: SESSION_TTL_MS,
      path: '/',
    });
    res.json({ account: accountView(account) });
  });

  router.post('/api/auth/logout', async (req, res) => {
    const ended = await sessions.destroy(sessionCookie(req));
    if (ended) deps.loggedOut(ended);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  router.get('/api/auth/me', (_req, res) => {
    res.json({ account: accountView(requireAccount(res)) });
  });

  router.get('/api/accounts', requireRole('coordinator'), async (_req, res) => {
    res.json({ accounts: (await store.listAccounts()).map(accountView) });
  });

  router.post('/api/accounts', requireRole('coordinator'), async (req, res) => {
    const input = parse(createAccountRequest, req.body);
    try {
      const account = await createAccount(store, input);
      res.status(201).json({ account: accountView(account) });
    } catch (error) {
      if (error instanceof ConflictError)
        throw new AppError('conflict', `username “${input.username}” is taken`);
      throw error;
    }
  });

  return router;
}

export async function createAccount(
  store: AccountStore,
  input: { username: string; displayName: string; role: 'coordinator' | 'teacher'; password: string },
) {
  if (await store.getAccountByUsername(input.username)) throw new ConflictError('username taken');
  const account = {
    id: randomUUID(),
    username: input.username,
    displayName: input.displayName,
    role: input.role,
    passwordHash: await hashPassword(input.password),
    createdAt: Date.now(),
  };
  await store.putAccount(account);
  return account;
}
