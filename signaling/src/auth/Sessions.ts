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
    if (!cookie || cookie.length > 128) return undefined;
    const session = await this.#store.getSession(digest(cookie));
    return session && this.#store.getAccount(session.accountId);
  }

  async destroy(cookie: string | undefined): Promise<void> {
    if (cookie && cookie.length <= 128) await this.#store.deleteSession(digest(cookie));
  }
}
