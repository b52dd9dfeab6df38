import { describe, expect, it } from 'vitest';
import { applyOps, initialBoard } from '@cloudschool/board';
import type { BoardOp } from '@cloudschool/board';
import type { ReplayPart } from '@cloudschool/protocol';
import { chapterAt, clampTime, mediaAt, ReplayBoard } from './replay.ts';

const T = Date.UTC(2026, 11, 6, 8, 0);

/** n strokes, one a second from T, then a page added. */
function history(n: number): BoardOp[] {
  const ops: BoardOp[] = [];
  for (let i = 1; i <= n; i++) {
    ops.push({
      seq: i,
      at: T + i * 1000,
      by: 'host',
      op: {
        type: 'stroke',
        strokeId: `s${i}`,
        pageId: 'p0',
        tool: 'pen',
        color: '#000000',
        width: 2,
        points: [[i, i, 0.5]],
      },
    });
  }
  ops.push({
    seq: n + 1,
    at: T + (n + 1) * 1000,
    by: 'host',
    op: { type: 'page:add', after: null, background: null },
  });
  return ops;
}

describe('ReplayBoard', () => {
  it('gives, at any time, exactly the board the reducer makes of the operations made by then', () => {
    const ops = history(250);
    const board = new ReplayBoard(ops);
    for (const seconds of [0, 1, 99, 100, 101, 199.5, 200, 250, 251, 400]) {
      const time = T + seconds * 1000;
      const made = ops.filter((op) => op.at <= time);
      expect(board.stateAt(time)).toEqual(applyOps(initialBoard(), made));
    }
    expect(board.stateAt(T + 251_000).pageId).toBe('p251');
    expect(board.countAt(T - 1)).toBe(0);
  });

  it('starts where a history compacted before it was kept starts', () => {
    const ops = history(3).slice(1);
    const board = new ReplayBoard(ops);
    expect(board.stateAt(T + 10_000).seq).toBe(4);
    expect(board.stateAt(T).seq).toBe(1);
  });
});

describe('mediaAt', () => {
  const parts: ReplayPart[] = [
    { run: 0, startedAt: T, durationMs: 10_000, url: '/a' },
    { run: 1, startedAt: T + 12_000, durationMs: 5_000, url: '/b' },
  ];

  it('finds the part and the position, or the part that comes next', () => {
    expect(mediaAt(parts, T + 2_500)).toEqual({ kind: 'playing', part: parts[0], seconds: 2.5 });
    expect(mediaAt(parts, T + 10_000)).toEqual({ kind: 'gap', next: parts[1] });
    expect(mediaAt(parts, T + 13_000)).toEqual({ kind: 'playing', part: parts[1], seconds: 1 });
    expect(mediaAt(parts, T + 17_000)).toEqual({ kind: 'gap', next: null });
    expect(mediaAt(parts, T - 1)).toEqual({ kind: 'gap', next: parts[0] });
  });

  it('keeps times within the span, and names the chapter shown', () => {
    const span = { startedAt: T, endedAt: T + 17_000 };
    expect(clampTime(span, T - 5)).toBe(T);
    expect(clampTime(span, T + 20_000)).toBe(T + 17_000);
    const chapters = [
      { at: T, label: 'a' },
      { at: T + 5_000, label: 'b' },
    ];
    expect(chapterAt(chapters, T + 4_999)?.label).toBe('a');
    expect(chapterAt(chapters, T + 5_000)?.label).toBe('b');
    expect(chapterAt(chapters, T - 1)).toBeUndefined();
  });
});
