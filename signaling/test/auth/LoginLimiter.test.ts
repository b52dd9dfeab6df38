/** Failed logins limited per source and per account, on both stores, with a clock the test moves. */
import { beforeEach, describe, expect, it } from 'vitest';
import { TooEarlyError } from '../../src/auth/limits.ts';
import { LOGIN_LIMITS, LoginLimiter } from '../../src/auth/LoginLimiter.ts';
import type { Store } from '../../src/store/Store.ts';
import { storeFactories, storePerTest } from '../support/stores.ts';

const T = 1_800_000_000_000;
const A = '203.0.113.7';
const B = '198.51.100.2';

describe.each(storeFactories())('$name login limiter', (factory) => {
  const suite = storePerTest(factory);
  let store: Store;
  let now: number;
  let limiter: LoginLimiter;

  beforeEach(() => {
    store = suite.store;
    now = T;
    limiter = new LoginLimiter(store, LOGIN_LIMITS, () => now);
  });

  /** A login that fails: 'ok' when it was let through to be tried, else the seconds to wait. */
  const fail = async (username: string, source: string): Promise<'ok' | number> => {
    try {
      await limiter.begin(username, source);
      return 'ok';
    } catch (error) {
      if (error instanceof TooEarlyError) return error.retryAfterSeconds;
      throw error;
    }
  };
  const succeed = async (username: string, source: string) =>
    (await limiter.begin(username, source)).succeeded();

  it('lets 5 failures from A through, then doubles A’s wait; B, which has not failed, is not held', async () => {
    for (let i = 0; i < 5; i++) expect(await fail('admin', A)).toBe('ok');
    expect(await fail('admin', A)).toBe(1);
    await expect(succeed('admin', B)).resolves.toBeUndefined();
    now += 1000;
    expect(await fail('admin', A)).toBe('ok');
    expect(await fail('admin', A)).toBe(2);
    now += 2000;
    expect(await fail('ADMIN', A)).toBe('ok');
    expect(await fail('admin', A)).toBe(4);
    // A's other accounts are not held by admin's failures.
    expect(await fail('wang', A)).toBe('ok');
  });

  it('forgets the account’s failures from a source once its password was right there', async () => {
    for (let i = 0; i < 4; i++) await fail('admin', A);
    await succeed('admin', A);
    for (let i = 0; i < 5; i++) expect(await fail('admin', A)).toBe('ok');
    expect(await fail('admin', A)).toBe(1);
  });

  it('limits a source trying many accounts, with waits of at most a minute', async () => {
    for (let i = 0; i < 30; i++) expect(await fail(`user${i}`, A)).toBe('ok');
    expect(await fail('someone', A)).toBe(1);
    for (let i = 0; i < 12; i++) {
      now += 60_000;
      await fail(`more${i}`, A);
    }
    expect(await fail('someone', A)).toBe(60);
    await expect(succeed('someone', B)).resolves.toBeUndefined();
  });

  it('under attack, a source’s first failure against the account costs a wait, but a clean source gets in', async () => {
    for (let i = 0; i < 20; i++) expect(await fail('admin', `10.0.${i}.1`)).toBe('ok');
    expect(await fail('admin', '10.9.9.9')).toBe('ok');
    expect(await fail('admin', '10.9.9.9')).toBe(1);
    await expect(succeed('admin', B)).resolves.toBeUndefined();
    // Other accounts are not under attack.
    for (let i = 0; i < 5; i++) expect(await fail('wang', '10.9.9.8')).toBe('ok');
  });

  it('lets no burst of concurrent guesses share the free attempts', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => fail('admin', A)));
    expect(answers.filter((a) => a === 'ok')).toHaveLength(5);
  });

  it('counts on every node that shares the store', async () => {
    const other = new LoginLimiter(await suite.open(), LOGIN_LIMITS, () => now);
    for (let i = 0; i < 5; i++) await fail('admin', A);
    await expect(other.begin('admin', A)).rejects.toBeInstanceOf(TooEarlyError);
  });
});
