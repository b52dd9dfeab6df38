import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/store/entities/audit.ts';
import { InvalidRecordError } from '../../src/store/records.ts';
import type { Store } from '../../src/store/Store.ts';
import { storeFactories, storePerTest } from '../support/stores.ts';

const T = 1_800_000_000_000;

function entry(n: number, at: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: `e${n}`,
    at,
    kind: 'login',
    actorId: 'a1',
    actorName: 'wang',
    source: '203.0.113.7',
    subjectType: 'account',
    subjectId: 'a1',
    subjectName: 'wang',
    details: {},
    ...overrides,
  };
}

describe.each(storeFactories())('$name audit store contract', (factory) => {
  const suite = storePerTest(factory);
  let store: Store;

  beforeEach(() => {
    store = suite.store;
  });

  it('lists a range newest first, entries of one millisecond in reverse order of appending', async () => {
    await store.appendAudit(entry(1, T));
    await store.appendAudit(entry(2, T + 10, { kind: 'login_failed', actorId: null, actorName: null }));
    await store.appendAudit(entry(3, T + 10, { details: { from: 'teacher', to: 'coordinator', n: 2 } }));
    await store.appendAudit(entry(4, T + 20));
    // Appended late, with an earlier time (another node's clock): still in its place by time.
    await store.appendAudit(entry(5, T + 5));
    const page = await store.listAudit({ from: T, to: T + 20, limit: 10 });
    expect(page.entries.map((e) => e.id)).toEqual(['e3', 'e2', 'e5', 'e1']);
    expect(page.entries[0]).toEqual(
      entry(3, T + 10, { details: { from: 'teacher', to: 'coordinator', n: 2 } }),
    );
    expect(page.next).toBeNull();
    expect((await store.listAudit({ from: T + 21, to: T + 100, limit: 10 })).entries).toEqual([]);
  });

  it('pages with the cursor of the page before, to the end', async () => {
    for (let n = 0; n < 23; n++) await store.appendAudit(entry(n, T + Math.floor(n / 3)));
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await store.listAudit({ from: T, to: T + 1000, limit: 5, cursor });
      seen.push(...page.entries.map((e) => e.id));
      if (page.next === null) break;
      expect(page.entries).toHaveLength(5);
      cursor = page.next;
    }
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => `e${22 - i}`));
  });

  it('lists one kind', async () => {
    await store.appendAudit(entry(1, T, { kind: 'login_failed' }));
    await store.appendAudit(entry(2, T + 1));
    await store.appendAudit(entry(3, T + 2, { kind: 'login_failed' }));
    await store.appendAudit(entry(4, T + 3, { kind: 'account_disabled' }));
    const failed = await store.listAudit({ from: T, to: T + 10, kind: 'login_failed', limit: 1 });
    expect(failed.entries.map((e) => e.id)).toEqual(['e3']);
    const rest = await store.listAudit({
      from: T,
      to: T + 10,
      kind: 'login_failed',
      limit: 1,
      cursor: failed.next ?? '',
    });
    expect(rest).toEqual({ entries: [entry(1, T, { kind: 'login_failed' })], next: null });
  });

  it('keeps its entries when opened again', async () => {
    await store.appendAudit(entry(1, T));
    const again = await suite.open();
    expect((await again.listAudit({ from: T, to: T + 1, limit: 5 })).entries).toEqual([entry(1, T)]);
  });

  it('refuses a malformed entry, cursor or page size, and writes nothing', async () => {
    await expect(store.appendAudit({ ...entry(1, T), kind: 'nope' as never })).rejects.toBeInstanceOf(
      InvalidRecordError,
    );
    await expect(
      store.appendAudit(entry(2, T, { details: { long: 'x'.repeat(501) } })),
    ).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(store.listAudit({ from: T, to: T + 1, limit: 5, cursor: 'x' })).rejects.toBeInstanceOf(
      InvalidRecordError,
    );
    await expect(store.listAudit({ from: T, to: T + 1, limit: 0 })).rejects.toBeInstanceOf(
      InvalidRecordError,
    );
    expect((await store.listAudit({ from: 0, to: T * 2, limit: 5 })).entries).toEqual([]);
  });
});
