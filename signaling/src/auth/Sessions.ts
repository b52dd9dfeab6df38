import { createHash, randomBytes } from 'node:crypto';
import type { Account } from '../domain/types.ts';
import type { Login } from '../store/entities/accounts.ts';
import type { AccountStore } from '../store/Store.ts';

export const SESSION_COOKIE = 'cs_session';
export const SESSION_TTL_MS = 12 * 3600_000;

const digest = (cookie: string): string => createHash('sha256').update(cookie).digest('hex');

/** Where a login comes from, kept beside its session (to list an account's sessions). */
export interface LoginSource {
  source: string;
  userAgent: string;
}

/**
 * Login sessions: a random cookie value; the store keeps only its hash, and beside it, per account, when
 * and from where it was opened, so that all of an account's sessions can be listed and ended. A disabled
 * account's sessions resolve to nobody, whatever is left of them.
 */
export class Sessions {
  readonly #store: AccountStore;

  constructor(store: AccountStore) {
    this.#store = store;
  }

  async create(accountId: string, from: LoginSource, now = Date.now()): Promise<string> {
    const cookie = randomBytes(32).toString('base64url');
    const id = digest(cookie);
    const expiresAt = now + SESSION_TTL_MS;
    await this.#store.putLogin({
      accountId,
      sessionId: id,
      createdAt: now,
      expiresAt,
      source: from.source.slice(0, 64),
      userAgent: from.userAgent.slice(0, 256),
    });
    await this.#store.putSession({ id, accountId, expiresAt });
    return cookie;
  }

  async resolve(cookie: string | undefined): Promise<Account | undefined> {
    return (await this.login(cookie))?.account;
  }

  /** The login behind a cookie: the account, and the session (its stored id, and when it ends). */
  async login(
    cookie: string | undefined,
  ): Promise<{ account: Account; sessionId: string; expiresAt: number } | undefined> {
    if (!cookie || cookie.length > 128) return undefined;
    const session = await this.#store.getSession(digest(cookie));
    const account = session && (await this.#store.getAccount(session.accountId));
    if (!account || !session || account.disabled === true) return undefined;
    return { account, sessionId: session.id, expiresAt: session.expiresAt };
  }

  /** Ends a login; answers its session id (what its open connections are found by), if it was one. */
  async destroy(cookie: string | undefined): Promise<string | undefined> {
    if (!cookie || cookie.length > 128) return undefined;
    const sessionId = digest(cookie);
    const session = await this.#store.getSession(sessionId);
    await this.#store.deleteSession(sessionId);
    if (session) await this.#store.deleteLogin(session.accountId, sessionId);
    return sessionId;
  }

  /** An account's sessions that have not ended, oldest first. */
  list(accountId: string): Promise<Login[]> {
    return this.#store.listLogins(accountId);
  }

  /** Ends every session of an account but `except`; answers the ids of those ended. */
  async endAll(accountId: string, except?: string): Promise<string[]> {
    const ended = (await this.#store.listLogins(accountId)).filter((login) => login.sessionId !== except);
    await Promise.all(
      ended.map(async ({ sessionId }) => {
        await this.#store.deleteSession(sessionId);
        await this.#store.deleteLogin(accountId, sessionId);
      }),
    );
    return ended.map((login) => login.sessionId);
  }
}
