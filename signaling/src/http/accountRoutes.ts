import express from 'express';
import type { Request, Response } from 'express';
import {
  accountParams,
  createAccountRequest,
  resetPasswordRequest,
  updateAccountRequest,
} from '@cloudschool/protocol';
import type { SessionView } from '@cloudschool/protocol';
import type { AccountService, Actor } from '../auth/Accounts.ts';
import { sourceOf } from '../auth/limits.ts';
import type { Sessions } from '../auth/Sessions.ts';
import type { Account } from '../domain/types.ts';
import { AppError } from '../errors.ts';
import { accountView } from '../services/views.ts';
import type { AccountStore } from '../store/Store.ts';
import { ConflictError } from '../store/Store.ts';
import { parse, requireAccount, requireRole, sessionCookie } from './middleware.ts';

export interface AccountRouteDeps {
  store: AccountStore;
  sessions: Sessions;
  accounts: AccountService;
}

/** The coordinator asking, as the audit log names them. */
const actorOf = (req: Request, res: Response): Actor => ({
  account: requireAccount(res, 'coordinator'),
  source: sourceOf(req.ip),
});

/**
 * Accounts, managed by coordinators: list, create, rename and change a role, reset a password, disable
 * and enable, list and end an account's sessions. Every change is in the audit log (AccountService).
 */
export function accountRoutes(deps: AccountRouteDeps): express.Router {
  const { store, sessions, accounts } = deps;
  const router = express.Router();
  const idOf = (req: Request): string => parse(accountParams, req.params).id;
  const send = (res: Response, account: Account) => res.json({ account: accountView(account) });

  router.get('/api/accounts', requireRole('coordinator'), async (_req, res) => {
    res.json({ accounts: (await store.listAccounts()).map(accountView) });
  });

  router.post('/api/accounts', requireRole('coordinator'), async (req, res) => {
    const input = parse(createAccountRequest, req.body);
    try {
      const account = await accounts.create(input, actorOf(req, res));
      res.status(201).json({ account: accountView(account) });
    } catch (error) {
      if (error instanceof ConflictError)
        throw new AppError('conflict', `username “${input.username}” is taken`);
      throw error;
    }
  });

  router.put('/api/accounts/:id', requireRole('coordinator'), async (req, res) => {
    const input = parse(updateAccountRequest, req.body);
    send(res, await accounts.update(idOf(req), input, actorOf(req, res)));
  });

  router.post('/api/accounts/:id/password', requireRole('coordinator'), async (req, res) => {
    const { password } = parse(resetPasswordRequest, req.body);
    send(res, await accounts.resetPassword(idOf(req), password, actorOf(req, res)));
  });

  router.post('/api/accounts/:id/disable', requireRole('coordinator'), async (req, res) => {
    send(res, await accounts.disable(idOf(req), actorOf(req, res)));
  });

  router.post('/api/accounts/:id/enable', requireRole('coordinator'), async (req, res) => {
    send(res, await accounts.enable(idOf(req), actorOf(req, res)));
  });

  router.get('/api/accounts/:id/sessions', requireRole('coordinator'), async (req, res) => {
    const account = await accounts.get(idOf(req));
    const current = (await sessions.login(sessionCookie(req)))?.sessionId;
    const views: SessionView[] = (await sessions.list(account.id)).map((login) => ({
      createdAt: new Date(login.createdAt).toISOString(),
      expiresAt: new Date(login.expiresAt).toISOString(),
      source: login.source,
      userAgent: login.userAgent,
      current: login.sessionId === current,
    }));
    res.json({ sessions: views });
  });

  router.post('/api/accounts/:id/sessions/revoke', requireRole('coordinator'), async (req, res) => {
    res.json({ ended: await accounts.endSessions(idOf(req), actorOf(req, res)) });
  });

  return router;
}
