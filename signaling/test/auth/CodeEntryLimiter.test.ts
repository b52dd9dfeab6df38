/** Wrong classroom codes limited per source and in a global hourly budget, on both stores. */
import { beforeEach, describe, expect, it } from 'vitest';
import { CODE_ENTRY_LIMITS, CodeEntryLimiter } from '../../src/auth/CodeEntryLimiter.ts';
import { TooEarlyError } from '../../src/auth/limits.ts';
import type { Store } from '../../src/store/Store.ts';
import { storeFactories, storePerTest } from '../support/stores.ts';

const HOUR = 3600_000;
/** On the hour, so the global budget's window is known. */
const T = 500_000 * HOUR;

describe.each(storeFactories())('$name code entry limiter', (factory) => {
  const suite = storePerTest(factory);
  let store: Store;
  let now: number;

  beforeEach(() => {
    store = suite.store;
    now = T;
  });

  const limiter = (limits = CODE_ENTRY_LIMITS) => new CodeEntryLimiter(store, { limits, now: () => now });
  const wrong = async (l: CodeEntryLimiter, source: string): Promise<'ok' | number> => {
    try {
      await l.begin(source);
      return 'ok';
    } catch (error) {
      if (error instanceof TooEarlyError) return error.retryAfterSeconds;
      throw error;
    }
  };

  it('lets a school’s 50 typos through, then waits of 1 s doubling to a minute; right codes cost nothing', async () => {
    const l = limiter();
    for (let i = 0; i < 49; i++) expect(await wrong(l, 'school')).toBe('ok');
    for (let i = 0; i < 100; i++) await (await l.begin('school')).succeeded();
    expect(await wrong(l, 'school')).toBe('ok');
    expect(await wrong(l, 'school')).toBe(1);
    expect(await wrong(l, 'elsewhere')).toBe('ok');
    for (const wait of [1, 2, 4, 8, 16, 32, 60, 60]) {
      expect(await wrong(l, 'school')).toBe(wait);
      now += wait * 1000;
      expect(await wrong(l, 'school')).toBe('ok');
    }
  });

  it('closes code entry for everyone until the hour is over once the global budget is spent', async () => {
    const l = limiter({ ...CODE_ENTRY_LIMITS, globalPerHour: 10 });
    now = T + 15 * 60_000;
    for (let i = 0; i < 10; i++) expect(await wrong(l, `botnet-${i}`)).toBe('ok');
    expect(await wrong(l, 'innocent')).toBe(45 * 60);
    now = T + HOUR;
    expect(await wrong(l, 'innocent')).toBe('ok');
  });

  it('gives the budget back for a right code', async () => {
    const l = limiter({ ...CODE_ENTRY_LIMITS, globalPerHour: 3 });
    for (let i = 0; i < 10; i++) await (await l.begin(`school-${i}`)).succeeded();
    expect(await wrong(l, 'a')).toBe('ok');
    expect(await wrong(l, 'b')).toBe('ok');
    expect(await wrong(l, 'c')).toBe('ok');
    expect(await wrong(l, 'd')).not.toBe('ok');
  });
});
