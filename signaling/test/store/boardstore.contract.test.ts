/**
 * The whiteboard's store methods, the same contract for SQLite and Redis: consecutive seqs from append
 * (also under concurrent appends and after compaction), readBoardOps, snapshots, compaction that
 * keeps exactly the operations after the snapshot in the log, and the history that keeps every one.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { applyOps, initialBoard } from '@cloudschool/board';
import type { BoardOp, BoardState } from '@cloudschool/board';
import { InvalidRecordError } from '../../src/store/records.ts';
import type { Store } from '../../src/store/Store.ts';
import { storeFactories, storePerTest } from '../support/stores.ts';

const L = 'lesson-1';
const T = Date.UTC(2026, 10, 30, 8, 0);

/** An operation without its seq: a stroke on the first page, a little different each time. */
function body(n: number): Omit<BoardOp, 'seq'> {
  return {
    at: T + n,
    by: n % 2 === 0 ? 'host' : 'classroom:c1',
    op: {
      type: 'stroke',
      strokeId: `s${n}`,
      pageId: 'p0',
      tool: 'pen',
      color: '#000000',
      width: 2,
      points: [
        [n, n, 0.5],
        [n + 1.5, n + 2.25, 1],
      ],
    },
  };
}

const withSeq = (seq: number, n = seq): BoardOp => ({ ...body(n), seq });

describe.each(storeFactories())('$name board store contract', (factory) => {
  const suite = storePerTest(factory);
  const open = () => suite.open();
  let store: Store;

  beforeEach(() => {
    store = suite.store;
  });

  async function append(count: number, lessonId = L): Promise<number[]> {
    const seqs: number[] = [];
    for (let i = 0; i < count; i++) seqs.push(await store.appendBoardOp(lessonId, body(i + 1)));
    return seqs;
  }

  it('numbers appended operations 1, 2, 3… per lesson, and reads them back as written', async () => {
    expect(await store.loadBoard(L)).toEqual({ snapshot: null, ops: [] });
    expect(await store.readBoardOps(L, 0)).toEqual([]);
    expect(await append(3)).toEqual([1, 2, 3]);
    expect(await store.appendBoardOp('lesson-2', body(9))).toBe(1);
    expect(await store.readBoardOps(L, 0)).toEqual([withSeq(1), withSeq(2), withSeq(3)]);
    expect(await store.readBoardOps(L, 1)).toEqual([withSeq(2), withSeq(3)]);
    expect(await store.readBoardOps(L, 3)).toEqual([]);
    expect(await store.readBoardOps('lesson-2', 0)).toEqual([withSeq(1, 9)]);
    expect(await store.loadBoard(L)).toEqual({ snapshot: null, ops: [withSeq(1), withSeq(2), withSeq(3)] });
  });

  it('gives concurrent appends distinct, consecutive seqs', async () => {
    const other = await open();
    const seqs = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? store : other).appendBoardOp(L, body(i + 1))),
    );
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const ops = await store.readBoardOps(L, 0);
    expect(ops.map((op) => op.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('keeps the log after a reopen', async () => {
    await append(2);
    const again = await open();
    expect(await again.readBoardOps(L, 0)).toEqual([withSeq(1), withSeq(2)]);
    expect(await again.appendBoardOp(L, body(3))).toBe(3);
  });

  it('saves a snapshot and keeps exactly the operations after it', async () => {
    await append(5);
    const ops = await store.readBoardOps(L, 0);
    const snapshot = applyOps(initialBoard(), ops.slice(0, 3));
    await store.compactBoard(L, snapshot);
    expect(await store.readBoardOps(L, 0)).toEqual(ops.slice(3));
    const loaded = await store.loadBoard(L);
    expect(loaded).toEqual({ snapshot, ops: ops.slice(3) });
    expect(applyOps(loaded.snapshot!, loaded.ops)).toEqual(applyOps(initialBoard(), ops));

    // Numbering goes on after the compacted ones, also when compaction took everything.
    expect(await store.appendBoardOp(L, body(6))).toBe(6);
    const all = [...ops, withSeq(6)];
    const head = applyOps(initialBoard(), all);
    await store.compactBoard(L, head);
    expect(await store.loadBoard(L)).toEqual({ snapshot: head, ops: [] });
    expect(await store.readBoardOps(L, 0)).toEqual([]);
    expect(await store.appendBoardOp(L, body(7))).toBe(7);
    const again = await open();
    expect(await again.appendBoardOp(L, body(8))).toBe(8);
    expect(await again.loadBoard(L)).toEqual({ snapshot: head, ops: [withSeq(7), withSeq(8)] });
  });

  it('keeps every operation in the history for replay, through compactions and a reopen, in pages', async () => {
    expect(await store.readBoardHistory(L, 0, 100)).toEqual([]);
    await append(5);
    const ops = await store.readBoardOps(L, 0);
    await store.compactBoard(L, applyOps(initialBoard(), ops.slice(0, 3)));
    expect(await store.readBoardHistory(L, 0, 100)).toEqual(ops);
    expect(await store.appendBoardOp(L, body(6))).toBe(6);
    const all = [...ops, withSeq(6)];
    await store.compactBoard(L, applyOps(initialBoard(), all));
    await store.appendBoardOp('lesson-2', body(9));
    const again = await open();
    expect(await again.readBoardHistory(L, 0, 100)).toEqual(all);
    expect(await again.readBoardHistory(L, 2, 3)).toEqual(all.slice(2, 5));
    expect(await again.readBoardHistory(L, 6, 100)).toEqual([]);
    expect(await again.readBoardHistory('lesson-2', 0, 100)).toEqual([withSeq(1, 9)]);
    await expect(again.readBoardHistory(L, 0, 0)).rejects.toBeInstanceOf(InvalidRecordError);
  });

  it('keeps the newer snapshot and refuses one beyond the log', async () => {
    await append(4);
    const ops = await store.readBoardOps(L, 0);
    const at3 = applyOps(initialBoard(), ops.slice(0, 3));
    await store.compactBoard(L, at3);
    await store.compactBoard(L, applyOps(initialBoard(), ops.slice(0, 2))); // older: ignored
    expect(await store.loadBoard(L)).toEqual({ snapshot: at3, ops: ops.slice(3) });
    const beyond: BoardState = { ...applyOps(at3, ops.slice(3)), seq: 9 };
    await expect(store.compactBoard(L, beyond)).rejects.toBeInstanceOf(InvalidRecordError);
    expect(await store.loadBoard(L)).toEqual({ snapshot: at3, ops: ops.slice(3) });
    await expect(
      store.compactBoard('lesson-2', applyOps(initialBoard(), ops.slice(0, 1))),
    ).rejects.toBeInstanceOf(InvalidRecordError);
  });

  it('refuses to store an invalid operation or snapshot', async () => {
    const bad = { ...body(1), op: { ...body(1).op, color: 'red' } } as Omit<BoardOp, 'seq'>;
    await expect(store.appendBoardOp(L, bad)).rejects.toBeInstanceOf(InvalidRecordError);
    expect(await store.readBoardOps(L, 0)).toEqual([]);
    await append(1);
    const broken = { ...initialBoard(), seq: 1, pages: [] } as BoardState;
    await expect(store.compactBoard(L, broken)).rejects.toBeInstanceOf(InvalidRecordError);
  });

  it('answers a snapshot and the operations after it as of one instant, while compactions run', async () => {
    await append(30);
    const ops = await store.readBoardOps(L, 0);
    const reader = await open();
    const compactions = [10, 20, 30].map((n) =>
      store.compactBoard(L, applyOps(initialBoard(), ops.slice(0, n))),
    );
    const loads = Array.from({ length: 6 }, () => reader.loadBoard(L));
    await Promise.all(compactions);
    for (const loaded of await Promise.all(loads)) {
      expect(applyOps(loaded.snapshot ?? initialBoard(), loaded.ops)).toEqual(applyOps(initialBoard(), ops));
    }
  });
});
