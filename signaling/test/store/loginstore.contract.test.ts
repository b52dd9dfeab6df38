import { beforeEach, describe, expect, it } from 'vitest';
import type { Login } from '../../src/store/entities/accounts.ts';
import { InvalidRecordError } from '../../src/store/records.ts';
import type { Store } from '../../src/store/Store.ts';
import { storeFactories, storePerTest } from '../support/stores.ts';

const HOUR = 3600_000;

function login(accountId: string, sessionId: string, createdAt: number, expiresAt: number): Login {
  return { accountId, sessionId, createdAt, expiresAt, source: '198.51.100.2', userAgent: 'Chrome' };
}

/** What the store knows of each login, per account: listed and ended together (auth/Sessions.ts). */
describe.each(storeFactories())('$name login store contract', (factory) => {
  const suite = storePerTest(factory);
  let store: Store;

  beforeEach(() => {
    store = suite.store;
  });

  it("lists an account's logins oldest first, and forgets one deleted", async () => {
    const now = Date.now();
    await store.putLogin(login('a1', 's2', now - 10, now + HOUR));
    await store.putLogin(login('a1', 's1', now - 20, now + HOUR));
    await store.putLogin(login('a2', 's3', now - 5, now + HOUR));
    expect((await store.listLogins('a1')).map((l) => l.sessionId)).toEqual(['s1', 's2']);
    expect(await store.listLogins('a2')).toEqual([login('a2', 's3', now - 5, now + HOUR)]);
    await store.deleteLogin('a1', 's1');
    expect((await store.listLogins('a1')).map((l) => l.sessionId)).toEqual(['s2']);
    expect(await store.listLogins('nobody')).toEqual([]);
    const again = await suite.open();
    expect((await again.listLogins('a1')).map((l) => l.sessionId)).toEqual(['s2']);
  });

  it('lists no expired login, and keeps none written expired', async () => {
    const now = Date.now();
    await store.putLogin(login('a1', 'short', now - 10, now + 100));
    await store.putLogin(login('a1', 'past', now - 10, now - 1));
    await store.putLogin(login('a1', 'long', now - 5, now + HOUR));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await store.listLogins('a1')).map((l) => l.sessionId)).toEqual(['long']);
  });

  it('refuses a malformed login', async () => {
    const bad = { ...login('a1', 's', 1, Date.now() + HOUR), userAgent: 'x'.repeat(257) };
    await expect(store.putLogin(bad)).rejects.toBeInstanceOf(InvalidRecordError);
  });
});
