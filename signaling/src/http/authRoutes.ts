import express from 'express';
import type { Request } from 'express';
import { changePasswordRequest, loginRequest } from '@cloudschool/protocol';
import type { AccountService } from '../auth/Accounts.ts';
import { accountSubject } from '../auth/Audit.ts';
import type { Audit } from '../auth/Audit.ts';
import { sourceOf } from '../auth/limits.ts';
import type { LoginLimiter } from '../auth/LoginLimiter.ts';
import { prepareDummyHash, verifyLogin } from '../auth/passwords.ts';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../auth/Sessions.ts';
import type { Sessions } from '../auth/Sessions.ts';
import { AppError } from '../errors.ts';
import { accountView } from '../services/views.ts';
import type { AccountStore } from '../store/Store.ts';
import { parse, requireAccount, sessionCookie } from './middleware.ts';

/** The shell's and tests' way to make an account (kept here, where they import it from). */
export { createAccount } from '../auth/Accounts.ts';

export interface AuthRouteDeps {
  store: AccountStore;
  sessions: Sessions;
  accounts: AccountService;
  limiter: LoginLimiter;
  audit: Audit;
  /** A login ended (logout): the connections it opened close. */
  loggedOut: (sessionId: string) => void;
}

/** Where a login comes from, as its session keeps it. */
const loginSource = (req: Request) => ({
  source: sourceOf(req.ip),
  userAgent: req.get('user-agent') ?? '',
});

/**
 * Login, logout, who am I, and changing one's own password. Failed logins are limited per source and per
 * account (LoginLimiter); a username that does not exist takes as long as a wrong password (verifyLogin).
 */
export function authRoutes(deps: AuthRouteDeps): express.Router {
  const { store, sessions, audit, limiter } = deps;
  const router = express.Router();
  void prepareDummyHash();

  router.post('/api/auth/login', async (req, res) => {
    const { username, password } = parse(loginRequest, req.body);
    const from = loginSource(req);
    const attempt = await limiter.begin(username, from.source);
    const account = await store.getAccountByUsername(username);
    // One argon2id verification whether or not the username exists (a dummy hash when it does not).
    const right = await verifyLogin(account?.passwordHash, password);
    if (!account || !right) {
      await audit.record({
        kind: 'login_failed',
        source: from.source,
        subject: account ? accountSubject(account) : null,
        details: account ? {} : { username },
      });
      throw new AppError('invalid_credentials', 'wrong username or password');
    }
    // The right password is no guess, whether or not the account may log in.
    await attempt.succeeded();
    if (account.disabled === true) {
      await audit.record({
        kind: 'login_failed',
        source: from.source,
        subject: accountSubject(account),
        details: { disabled: true },
      });
      throw new AppError('account_disabled', 'this account is disabled');
    }
    res.cookie(SESSION_COOKIE, await sessions.create(account.id, from), {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      maxAge: SESSION_TTL_MS,
      path: '/',
    });
    await audit.record({
      kind: 'login',
      actor: { id: account.id, username: account.username },
      source: from.source,
      subject: accountSubject(account),
    });
    res.json({ account: accountView(account) });
  });

  router.post('/api/auth/logout', async (req, res) => {
    const login = await sessions.login(sessionCookie(req));
    const ended = await sessions.destroy(sessionCookie(req));
    if (ended) deps.loggedOut(ended);
    if (login) {
      const { account } = login;
      await audit.record({
        kind: 'logout',
        actor: { id: account.id, username: account.username },
        source: sourceOf(req.ip),
        subject: accountSubject(account),
      });
    }
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  router.get('/api/auth/me', (_req, res) => {
    res.json({ account: accountView(requireAccount(res)) });
  });

  /** Anyone logged in: the current password and a new one; the account's other sessions end. */
  router.post('/api/auth/password', async (req, res) => {
    const account = requireAccount(res);
    const input = parse(changePasswordRequest, req.body);
    const source = sourceOf(req.ip);
    // Guessing the current password with a stolen session is limited like guessing it at the login.
    const attempt = await limiter.begin(account.username, source);
    const login = await sessions.login(sessionCookie(req));
    await deps.accounts.changePassword(
      { account, source, sessionId: login?.sessionId },
      input.currentPassword,
      input.newPassword,
    );
    await attempt.succeeded();
    res.status(204).end();
  });

  return router;
}
