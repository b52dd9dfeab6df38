/**
 * The whiteboard reducer, alone: every operation kind, erase and clear, selective undo/redo by author,
 * the bounded history, totality (operations naming nothing change nothing) and purity.
 */
import { describe, expect, it } from 'vitest';
import {
  BOARD_LIMITS,
  BoardReplica,
  BoardSequenceError,
  DEFAULT_VIEW,
  FIRST_PAGE_ID,
  applyOp,
  applyOps,
  initialBoard,
  redoTarget,
  undoTarget,
} from '@cloudschool/board';
import type { BoardAuthor, BoardOp, BoardOpBody, BoardState } from '@cloudschool/board';

const P0 = FIRST_PAGE_ID;
const FILE = '2f1c3a4b-5d6e-4f70-8a9b-0c1d2e3f4a5b';

/** Applies bodies in order, numbering them from the state's seq. */
function run(state: BoardState, ...steps: [BoardAuthor, BoardOpBody][]): BoardState {
  return steps.reduce((s, [by, op]) => applyOp(s, { seq: s.seq + 1, at: 1000 + s.seq, by, op }), state);
}

const stroke = (pageId = P0, x = 10): BoardOpBody => ({
  type: 'stroke',
  strokeId: `s${x}`,
  pageId,
  tool: 'pen',
  color: '#112233',
  width: 3,
  points: [
    [x, 20, 0.5],
    [x + 5, 25, 0.7],
  ],
});

const ids = (s: BoardState, pageId = P0): string[] =>
  s.pages.find((p) => p.id === pageId)!.objects.map((o) => o.id);
const trash = (s: BoardState): string[] => s.trash.map((o) => o.id);

describe('the board reducer', () => {
  it('starts with one blank page and applies operations strictly in seq order', () => {
    const s = initialBoard();
    expect(s).toEqual({
      seq: 0,
      pages: [{ id: P0, background: null, objects: [] }],
      pageId: P0,
      view: DEFAULT_VIEW,
      pens: [],
      history: [],
      trash: [],
    });
    const op: BoardOp = { seq: 2, at: 1, by: 'host', op: stroke() };
    expect(() => applyOp(s, op)).toThrow(BoardSequenceError);
    expect(() => applyOp(run(s, ['host', stroke()]), { ...op, seq: 1 })).toThrow(BoardSequenceError);
  });

  it('draws strokes, shapes and text as objects named after their seq, bottom to top', () => {
    const s = run(
      initialBoard(),
      ['host', stroke()],
      [
        'host',
        {
          type: 'shape',
          pageId: P0,
          shape: 'arrow',
          from: [0, 0],
          to: [100, 50],
          color: '#ff0000',
          width: 2,
          fill: null,
        },
      ],
      ['classroom:c1', { type: 'text', pageId: P0, at: [30, 40], text: '分数', color: '#000000', size: 24 }],
      ['host', { ...stroke(P0, 50), tool: 'highlighter' } as BoardOpBody],
    );
    expect(s.seq).toBe(4);
    expect(s.pages[0]!.objects).toEqual([
      {
        id: 'o1',
        by: 'host',
        z: 1,
        kind: 'stroke',
        tool: 'pen',
        color: '#112233',
        width: 3,
        points: [
          [10, 20, 0.5],
          [15, 25, 0.7],
        ],
      },
      {
        id: 'o2',
        by: 'host',
        z: 2,
        kind: 'shape',
        shape: 'arrow',
        from: [0, 0],
        to: [100, 50],
        color: '#ff0000',
        width: 2,
        fill: null,
      },
      {
        id: 'o3',
        by: 'classroom:c1',
        z: 3,
        kind: 'text',
        at: [30, 40],
        text: '分数',
        color: '#000000',
        size: 24,
      },
      expect.objectContaining({ id: 'o4', kind: 'stroke', tool: 'highlighter' }),
    ]);
    expect(s.history.map((e) => [e.seq, e.by, e.adds])).toEqual([
      [1, 'host', ['o1']],
      [2, 'host', ['o2']],
      [3, 'classroom:c1', ['o3']],
      [4, 'host', ['o4']],
    ]);
  });

  it('erases objects by id and clears a page, both undoable', () => {
    let s = run(initialBoard(), ['host', stroke()], ['host', stroke(P0, 20)], ['host', stroke(P0, 30)]);
    s = run(s, ['host', { type: 'erase', pageId: P0, objectIds: ['o2', 'o99'] }]);
    expect(ids(s)).toEqual(['o1', 'o3']);
    expect(trash(s)).toEqual(['o2']);
    expect(s.history.at(-1)).toMatchObject({ seq: 4, adds: [], removes: ['o2'] });

    s = run(s, ['host', { type: 'clear', pageId: P0 }]);
    expect(ids(s)).toEqual([]);
    expect(trash(s)).toEqual(['o1', 'o2', 'o3']);

    s = run(s, ['host', { type: 'undo', target: 5 }]);
    expect(ids(s)).toEqual(['o1', 'o3']); // the clear is undone; the earlier erase still holds
    s = run(s, ['host', { type: 'undo', target: 4 }]);
    expect(ids(s)).toEqual(['o1', 'o2', 'o3']); // back in its place (by z)
    expect(trash(s)).toEqual([]);
  });

  it('undoes and redoes only the author’s own operations, and knows what the buttons target', () => {
    let s = run(
      initialBoard(),
      ['host', stroke()],
      ['classroom:c1', stroke(P0, 20)],
      ['host', stroke(P0, 30)],
    );
    expect(undoTarget(s, 'host')).toBe(3);
    expect(undoTarget(s, 'classroom:c1')).toBe(2);
    expect(redoTarget(s, 'host')).toBeNull();

    const before = s;
    s = run(s, ['host', { type: 'undo', target: 2 }]); // not the host's: nothing but the seq changes
    expect({ ...s, seq: before.seq }).toEqual(before);

    s = run(s, ['host', { type: 'undo', target: 3 }], ['host', { type: 'undo', target: 1 }]);
    expect(ids(s)).toEqual(['o2']);
    expect(undoTarget(s, 'host')).toBeNull();
    expect(redoTarget(s, 'host')).toBe(1); // the latest undo first
    s = run(s, ['host', { type: 'undo', target: 1 }]); // already undone: nothing
    s = run(s, ['host', { type: 'redo', target: 1 }]);
    expect(ids(s)).toEqual(['o1', 'o2']);
    expect(redoTarget(s, 'host')).toBe(3);
    s = run(s, ['host', { type: 'redo', target: 1 }]); // not undone: nothing
    expect(ids(s)).toEqual(['o1', 'o2']);

    // Something new by the host ends its redo chain; the classroom's is its own.
    s = run(s, ['host', stroke(P0, 40)]);
    expect(redoTarget(s, 'host')).toBeNull();
    expect(ids(s)).toEqual(['o1', 'o2', 'o10']);
  });

  it('keeps an object hidden while any operation in effect hides it, whatever the order of undos', () => {
    // The host draws o1; a classroom erases it; the host undoes its stroke; the classroom undoes its erase.
    let s = run(
      initialBoard(),
      ['host', stroke()],
      ['classroom:c1', { type: 'erase', pageId: P0, objectIds: ['o1'] }],
      ['host', { type: 'undo', target: 1 }],
      ['classroom:c1', { type: 'undo', target: 2 }],
    );
    expect(ids(s)).toEqual([]); // still undone by its author
    s = run(s, ['host', { type: 'redo', target: 1 }]);
    expect(ids(s)).toEqual(['o1']);
    expect(trash(s)).toEqual([]);
  });

  it('adds, turns and decorates pages; follows the host’s view', () => {
    let s = run(
      initialBoard(),
      ['host', { type: 'view', zoom: 2, x: 100, y: 200 }],
      ['host', { type: 'page:add', after: null, background: { fileId: FILE, page: 1 } }],
    );
    expect(s.pages.map((p) => p.id)).toEqual([P0, 'p2']);
    expect(s.pageId).toBe('p2');
    expect(s.view).toEqual(DEFAULT_VIEW); // a new page starts at the default view
    s = run(s, ['host', { type: 'page:add', after: P0, background: null }]);
    expect(s.pages.map((p) => p.id)).toEqual([P0, 'p3', 'p2']);
    s = run(
      s,
      ['host', { type: 'background', pageId: P0, background: { fileId: FILE, page: 7 } }],
      ['host', { type: 'view', zoom: 1.5, x: 10, y: 20 }],
      ['host', { type: 'page:turn', pageId: P0 }],
    );
    expect(s.pageId).toBe(P0);
    expect(s.view).toEqual(DEFAULT_VIEW);
    expect(s.pages[0]!.background).toEqual({ fileId: FILE, page: 7 });
    s = run(s, ['host', { type: 'view', zoom: 3, x: 1, y: 2 }]);
    expect(s.view).toEqual({ zoom: 3, x: 1, y: 2 });
    // Strokes go to the page they name, not the page shown.
    s = run(s, ['host', stroke('p2')]);
    expect(ids(s, 'p2')).toEqual(['o8']);
    expect(ids(s)).toEqual([]);
  });

  it('records who holds the pen', () => {
    const s = run(
      initialBoard(),
      ['host', { type: 'pen', classroomId: 'c2', on: true }],
      ['host', { type: 'pen', classroomId: 'c1', on: true }],
      ['host', { type: 'pen', classroomId: 'c2', on: true }],
    );
    expect(s.pens).toEqual(['c1', 'c2']);
    expect(run(s, ['server', { type: 'pen', classroomId: 'c2', on: false }]).pens).toEqual(['c1']);
  });

  it('changes nothing but the seq for operations naming what does not exist', () => {
    const s = run(initialBoard(), ['host', stroke()]);
    for (const op of [
      stroke('p77'),
      { type: 'erase', pageId: P0, objectIds: ['o5'] },
      { type: 'erase', pageId: 'p9', objectIds: ['o1'] },
      { type: 'clear', pageId: 'p9' },
      { type: 'page:turn', pageId: 'p9' },
      { type: 'background', pageId: 'p9', background: null },
      { type: 'undo', target: 99 },
      { type: 'redo', target: 1 },
    ] satisfies BoardOpBody[]) {
      const next = run(s, ['host', op]);
      expect({ ...next, seq: s.seq }).toEqual(s);
    }
  });

  it('remembers a bounded history: forgotten operations become final', () => {
    let s = initialBoard();
    s = run(s, ['host', stroke()], ['host', { type: 'undo', target: 1 }]); // o1 undone
    s = run(s, ['host', stroke(P0, 2)], ['host', { type: 'erase', pageId: P0, objectIds: ['o3'] }]); // o3 erased
    expect(trash(s)).toEqual(['o1', 'o3']);
    // Remembered: 1 (undone), 3, 4; then enough strokes to push out 1.
    for (let i = 0; i < BOARD_LIMITS.history - 2; i++) s = run(s, ['host', stroke(P0, 100 + i)]);
    expect(s.history).toHaveLength(BOARD_LIMITS.history);
    expect(s.history[0]!.seq).toBe(3); // the undone stroke 1 is forgotten: o1 is gone for good
    expect(trash(s)).toEqual(['o3']);
    s = run(s, ['host', stroke(P0, 8)], ['host', stroke(P0, 9)]);
    expect(s.history[0]!.seq).toBe(5); // so is the erase of o3, which can no longer come back
    expect(trash(s)).toEqual([]);
    const forgotten = run(s, ['host', { type: 'undo', target: 4 }]);
    expect(forgotten.history).toEqual(s.history);
  });

  it('never changes the state it is given', () => {
    const s = run(initialBoard(), ['host', stroke()], ['host', stroke(P0, 20)]);
    const frozen = structuredClone(s);
    run(
      s,
      ['host', { type: 'erase', pageId: P0, objectIds: ['o1'] }],
      ['host', { type: 'undo', target: 3 }],
      ['host', { type: 'clear', pageId: P0 }],
      ['host', { type: 'page:add', after: null, background: null }],
      ['host', { type: 'pen', classroomId: 'c1', on: true }],
    );
    expect(s).toEqual(frozen);
  });

  it('is the same state whether reduced from scratch or from a snapshot (JSON round trip)', () => {
    const ops: BoardOp[] = [];
    let s = initialBoard();
    const steps: [BoardAuthor, BoardOpBody][] = [
      ['host', stroke()],
      ['host', stroke(P0, 20)],
      ['host', { type: 'erase', pageId: P0, objectIds: ['o1'] }],
      ['host', { type: 'undo', target: 3 }],
      ['host', { type: 'page:add', after: null, background: null }],
      ['host', stroke('p5')],
    ];
    for (const [by, op] of steps) {
      const next: BoardOp = { seq: s.seq + 1, at: 0, by, op };
      ops.push(next);
      s = applyOp(s, next);
    }
    const snapshot = JSON.parse(JSON.stringify(applyOps(initialBoard(), ops.slice(0, 3)))) as BoardState;
    expect(applyOps(snapshot, ops.slice(3))).toEqual(s);
  });
});

describe('a board replica', () => {
  const op = (seq: number): BoardOp => ({ seq, at: 0, by: 'host', op: stroke(P0, seq) });

  it('applies pushes in order, holds early ones, and reports gaps', () => {
    const applied: number[] = [];
    const r = new BoardReplica({ applied: (o) => applied.push(o.seq) });
    expect(r.receive(op(1))).toBe('applied');
    expect(r.receive(op(1))).toBe('duplicate');
    expect(r.receive(op(3))).toBe('gap');
    expect(r.missing).toBe(true);
    expect(r.receive(op(2))).toBe('applied'); // unblocks 3
    expect(r.lastSeq).toBe(3);
    expect(applied).toEqual([1, 2, 3]);
  });

  it('holds pushes during a sync and applies them after its answer, whatever arrives first', () => {
    const full = applyOps(initialBoard(), [op(1), op(2), op(3)]);
    const r = new BoardReplica();
    expect(r.beginSync()).toBe(0);
    expect(r.receive(op(4))).toBe('held'); // pushed after the answer was made, processed before it
    r.endSync({ headSeq: 3, snapshot: applyOps(initialBoard(), [op(1)]), ops: [op(2), op(3)] });
    expect(r.lastSeq).toBe(4);
    expect(r.state).toEqual(applyOp(full, op(4)));
    expect(r.missing).toBe(false);
  });
});
