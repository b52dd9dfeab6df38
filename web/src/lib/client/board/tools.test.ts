import { describe, expect, it } from 'vitest';
import { boardSchemas } from '@cloudschool/protocol';
import {
  applyOps,
  BOARD_LIMITS,
  initialBoard,
  type BoardAuthor,
  type BoardOp,
  type BoardOpBody,
  type BoardState,
} from '@cloudschool/board';
import {
  authorOf,
  boardInUse,
  canDraw,
  coursewareFirstOp,
  eraseOps,
  mayErase,
  neighbourPage,
  pageAddOp,
  pagePosition,
  pagesLeft,
  pageTurnOp,
  redoOp,
  shapeOp,
  strokeStyle,
  textOp,
  textSize,
  undoOp,
  zoomOp,
} from './tools.ts';

const FILE = '0b6f1a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

/** A board after these operations, numbered 1, 2, … */
function boardOf(...ops: [BoardAuthor, BoardOpBody][]): BoardState {
  const log: BoardOp[] = ops.map(([by, op], i) => ({ seq: i + 1, at: 0, by, op }));
  return applyOps(initialBoard(), log);
}

const valid = (op: unknown) => boardSchemas['board:op'].parse({ op });

describe('tools → operations', () => {
  it('turns a drag into a shape, and a slip of the hand into nothing', () => {
    const op = shapeOp('arrow', 'p0', { x: 10.04, y: 20 }, { x: 300.26, y: 400 }, '#e03131', 4);
    expect(op).toEqual({
      type: 'shape',
      pageId: 'p0',
      shape: 'arrow',
      from: [10, 20],
      to: [300.3, 400],
      color: '#e03131',
      width: 4,
      fill: null,
    });
    valid(op);
    expect(shapeOp('rect', 'p0', { x: 10, y: 10 }, { x: 11, y: 11.5 }, '#000000', 4)).toBeNull();
  });

  it('turns typed text into a text operation (trimmed, at most the limit)', () => {
    expect(textOp('p0', { x: 5, y: 6 }, '  ', '#000000', 40)).toBeNull();
    const op = textOp('p0', { x: 5, y: 6 }, ' 勾股定理 ', '#000000', textSize(6));
    expect(op).toEqual({
      type: 'text',
      pageId: 'p0',
      at: [5, 6],
      text: '勾股定理',
      color: '#000000',
      size: 40,
    });
    valid(op);
    const long = textOp('p0', { x: 0, y: 0 }, 'x'.repeat(3000), '#000000', 40);
    expect(long?.type === 'text' && long.text.length).toBe(BOARD_LIMITS.textChars);
    valid(long);
  });

  it('splits a big erase into operations the protocol takes', () => {
    const ids = Array.from({ length: 1201 }, (_, i) => `o${i + 1}`);
    const ops = eraseOps('p0', [...ids, 'o1']);
    expect(ops.map((op) => op.objectIds.length)).toEqual([500, 500, 201]);
    ops.forEach(valid);
  });

  it('makes the highlighter wide and the pen as chosen', () => {
    expect(strokeStyle('pen', '#000000', 4)).toEqual({ tool: 'pen', color: '#000000', width: 4 });
    expect(strokeStyle('highlighter', '#fab005', 4).width).toBeGreaterThan(16);
    expect(strokeStyle('highlighter', '#fab005', 200).width).toBeLessThanOrEqual(200);
  });

  it('undoes and redoes only the author’s own operations', () => {
    const shape = shapeOp('line', 'p0', { x: 0, y: 0 }, { x: 100, y: 100 }, '#000000', 4)!;
    let state = boardOf(['host', shape], ['classroom:c1', shape]);
    expect(undoOp(state, 'host')).toEqual({ type: 'undo', target: 1 });
    expect(undoOp(state, 'classroom:c1')).toEqual({ type: 'undo', target: 2 });
    expect(redoOp(state, 'host')).toBeNull();
    state = boardOf(['host', shape], ['classroom:c1', shape], ['host', { type: 'undo', target: 1 }]);
    expect(undoOp(state, 'host')).toBeNull();
    expect(redoOp(state, 'host')).toEqual({ type: 'redo', target: 1 });
    valid(redoOp(state, 'host'));
  });

  it('knows who may draw and erase what', () => {
    const state = boardOf(['host', { type: 'pen', classroomId: 'c1', on: true }]);
    expect(authorOf('host', null)).toBe('host');
    expect(authorOf('classroom', 'c1')).toBe('classroom:c1');
    expect(authorOf('observer', null)).toBeNull();
    expect(canDraw(state, 'host')).toBe(true);
    expect(canDraw(state, 'classroom:c1')).toBe(true);
    expect(canDraw(state, 'classroom:c2')).toBe(false);
    expect(canDraw(state, null)).toBe(false);
    const mine = {
      id: 'o1',
      by: 'classroom:c1' as const,
      z: 1,
      kind: 'text' as const,
      at: [0, 0] as [number, number],
      text: 'a',
      color: '#000000',
      size: 10,
    };
    expect(mayErase('classroom:c1', mine)).toBe(true);
    expect(mayErase('classroom:c2', mine)).toBe(false);
    expect(mayErase('host', mine)).toBe(true);
    expect(mayErase(null, mine)).toBe(false);
  });

  it('adds, turns and counts pages', () => {
    let state = boardOf(['host', { type: 'page:add', after: null, background: null }]);
    // p0, p1 (shown)
    expect(pagePosition(state)).toEqual({ index: 2, count: 2 });
    expect(neighbourPage(state, 1)).toBeNull();
    expect(pageTurnOp(state, -1)).toEqual({ type: 'page:turn', pageId: 'p0' });
    expect(pageTurnOp(state, 1)).toBeNull();
    state = applyOps(state, [{ seq: 2, at: 0, by: 'host', op: pageTurnOp(state, -1)! }]);
    expect(pagePosition(state)).toEqual({ index: 1, count: 2 });
    const add = pageAddOp(state);
    expect(add).toEqual({ type: 'page:add', after: 'p0', background: null });
    valid(add);
    expect(pagesLeft(state)).toBe(BOARD_LIMITS.pages - 2);
  });

  it('zooms and resets the host’s view', () => {
    const state = initialBoard();
    const zoomIn = zoomOp(state, 'in');
    expect(zoomIn).toEqual({ type: 'view', zoom: 1.25, x: 800, y: 450 });
    valid(zoomIn);
    expect(zoomOp(state, 'out')).toEqual({ type: 'view', zoom: 0.8, x: 800, y: 450 });
    expect(zoomOp(state, 'reset')).toEqual({ type: 'view', zoom: 1, x: 800, y: 450 });
  });

  it('puts courseware on a blank shown page, or on a new page after it', () => {
    const blank = coursewareFirstOp(initialBoard(), FILE);
    expect(blank).toEqual({
      op: { type: 'background', pageId: 'p0', background: { fileId: FILE, page: 1 } },
      reusesPage: true,
    });
    valid(blank.op);
    const used = boardOf(['host', textOp('p0', { x: 0, y: 0 }, 'hi', '#000000', 40)!]);
    const next = coursewareFirstOp(used, FILE);
    expect(next).toEqual({
      op: { type: 'page:add', after: 'p0', background: { fileId: FILE, page: 1 } },
      reusesPage: false,
    });
    valid(next.op);
  });

  it('tells when the host has put something on the board', () => {
    expect(boardInUse(initialBoard())).toBe(false);
    expect(boardInUse(boardOf(['host', { type: 'pen', classroomId: 'c1', on: true }]))).toBe(false);
    expect(boardInUse(boardOf(['host', { type: 'page:add', after: null, background: null }]))).toBe(true);
    expect(boardInUse(boardOf(['host', textOp('p0', { x: 0, y: 0 }, 'hi', '#000000', 40)!]))).toBe(true);
  });
});
