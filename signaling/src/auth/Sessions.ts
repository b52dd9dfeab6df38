import { createHash, randomBytes } from 'node:crypto';
import type { Account } from '../domain/types.ts';
import type { AccountStore } from '../store/Store.ts';

export const SESSION_COOKIE = 'cs_session';
export const SESSION_TTL_MS = 12 * 3600_000;

const digest = (cookie: string): string => createHash('sha256').update(cookie).digest('hex');

/** Login sessions: a random cookie value; the store keeps only its hash. */
export class Sessions {
  readonly #store: AccountStore;

  constructor(store: AccountStore) {
    this.#store = store;
  }

  async create(accountId: string, now = Date.now()): Promise<string> {
    const cookie = randomBytes(32).toString('base64url');
    await this.#store.putSession({ id: digest(cookie), accountId, expiresAt: now + SESSION_TTL_MS });
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
    return account && session && { account, sessionId: session.id, expiresAt: session.expiresAt };
  }

  /** Ends a login; answers its session id (what its open connections are found by), if it was one. */
  async destroy(cookie: string | undefined): Promise<string | undefined> {
    if (!cookie || cookie.length > 128) return undefined;
    const sessionId = digest(cookie);
    await this.#store.deleteSession(sessionId);
    return sessionId;
  }
}
