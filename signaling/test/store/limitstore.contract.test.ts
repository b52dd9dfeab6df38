import { beforeEach, describe, expect, it } from 'vitest';
import type { AttemptRule } from '../../src/store/LimitStore.ts';
import { InvalidRecordError } from '../../src/store/records.ts';
import type { Store } from '../../src/store/Store.ts';
import { storeFactories, storePerTest } from '../support/stores.ts';

const T = 1_800_000_000_000;
const rule = (key: string, free: number, waits: number[], forgetMs = 60_000): AttemptRule => ({
  key,
  free,
  waits,
  forgetMs,
});

describe.each(storeFactories())('$name limit store contract', (factory) => {
  const suite = storePerTest(factory);
  let store: Store;

  beforeEach(() => {
    store = suite.store;
  });

  it('counts attempts freely, then refuses for the wait after each, and answers when to retry', async () => {
    const r = rule('login:a', 2, [1000, 2000]);
    expect(await store.takeAttempt([r], T)).toEqual({ ok: true, counts: [1] });
    expect(await store.takeAttempt([r], T)).toEqual({ ok: true, counts: [2] });
    // The second attempt's wait: refused until T + 1000, and a refusal counts nothing.
    expect(await store.takeAttempt([r], T + 500)).toEqual({ ok: false, retryAt: T + 1000 });
    expect(await store.getAttempts('login:a', T + 500)).toEqual({
      key: 'login:a',
      count: 2,
      notBefore: T + 1000,
      expiresAt: T + 60_000,
    });
    expect(await store.takeAttempt([r], T + 1000)).toEqual({ ok: true, counts: [3] });
    // The last wait holds for every later attempt.
    expect(await store.takeAttempt([r], T + 2999)).toEqual({ ok: false, retryAt: T + 3000 });
    expect(await store.takeAttempt([r], T + 3000)).toEqual({ ok: true, counts: [4] });
    expect(await store.takeAttempt([r], T + 4000)).toEqual({ ok: false, retryAt: T + 5000 });
  });

  it('takes an attempt against several counters all or nothing', async () => {
    const tight = rule('pair', 1, [1000]);
    const loose = rule('source', 1, [0]);
    expect(await store.takeAttempt([tight, loose], T)).toEqual({ ok: true, counts: [1, 1] });
    expect(await store.takeAttempt([loose, tight], T + 10)).toEqual({ ok: false, retryAt: T + 1000 });
    expect((await store.getAttempts('source', T + 10))?.count).toBe(1);
    expect(await store.takeAttempt([loose], T + 10)).toEqual({ ok: true, counts: [2] });
    expect(await store.takeAttempt([], T)).toEqual({ ok: true, counts: [] });
  });

  it('lets no two concurrent attempts through one free slot', async () => {
    const r = rule('burst', 4, [60_000]);
    const answers = await Promise.all(Array.from({ length: 20 }, () => store.takeAttempt([r], T)));
    expect(answers.filter((a) => a.ok)).toHaveLength(4);
    expect((await store.getAttempts('burst', T))?.count).toBe(4);
  });

  it('gives an attempt back: one less and no wait; clears a counter', async () => {
    const r = rule('k', 1, [5000]);
    await store.takeAttempt([r], T);
    await store.takeAttempt([r], T + 5000);
    await store.refundAttempt('k', T + 5001);
    expect(await store.getAttempts('k', T + 5001)).toMatchObject({ count: 1, notBefore: T + 5001 });
    expect(await store.takeAttempt([r], T + 5001)).toEqual({ ok: true, counts: [2] });
    await store.clearAttempts('k');
    expect(await store.getAttempts('k', T + 5001)).toBeUndefined();
    // Nothing to give back: still nothing.
    await store.refundAttempt('k', T + 5001);
    expect(await store.getAttempts('k', T + 5001)).toBeUndefined();
  });

  it('forgets a counter once its time is over, but never during its wait', async () => {
    const now = Date.now();
    await store.takeAttempt([rule('short', 1, [0], 150)], now);
    await store.takeAttempt([rule('long-wait', 1, [400], 100)], now);
    expect((await store.getAttempts('short', now))?.count).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await store.getAttempts('short', Date.now())).toBeUndefined();
    expect(await store.takeAttempt([rule('short', 1, [0], 150)], Date.now())).toEqual({
      ok: true,
      counts: [1],
    });
    expect(await store.getAttempts('long-wait', Date.now())).toMatchObject({
      count: 1,
      notBefore: now + 400,
    });
  });

  it('keeps its counters for another node or a restart', async () => {
    await store.takeAttempt([rule('shared', 2, [10_000])], T);
    await store.takeAttempt([rule('shared', 2, [10_000])], T);
    const other = await suite.open();
    expect(await other.takeAttempt([rule('shared', 2, [10_000])], T + 1)).toEqual({
      ok: false,
      retryAt: T + 10_000,
    });
  });

  it('refuses malformed rules and keys', async () => {
    await expect(store.takeAttempt([rule('x', 1, [])], T)).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(store.takeAttempt([rule('x', 1, [-1])], T)).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(store.takeAttempt([rule('x', 1, [0], 0)], T)).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(store.takeAttempt([rule('x', 0, [0])], T)).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(store.takeAttempt([rule('', 1, [0])], T)).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(store.getAttempts('k'.repeat(301), T)).rejects.toBeInstanceOf(InvalidRecordError);
  });
});
