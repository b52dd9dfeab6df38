/**
 * The board's tools and what they turn into: operations of the protocol (shapes, text, erase, undo,
 * redo, pages, view) built from what the person did, in page units. Who may use what follows the
 * server's rules (signaling/src/board/rules.ts): the host everything, a pen holder drawing, text, erasing
 * its own objects and undoing its own operations.
 */
import { BOARD_LIMITS, classroomAuthor, redoTarget, undoTarget } from '@cloudschool/board';
import type { Role } from '@cloudschool/protocol';
import type {
  BoardAuthor,
  BoardBackground,
  BoardObject,
  BoardState,
  BoardWriteBody,
} from '@cloudschool/board';
import type { StrokeTool } from '@cloudschool/board/paint';
import { roundCoord, type StrokeStyle } from './stroke.ts';
import { zoomedView, ZOOM_STEP, type Point } from './transform.ts';
import { DEFAULT_VIEW } from '@cloudschool/board';

export type ShapeTool = 'line' | 'arrow' | 'rect' | 'ellipse';
export type BoardTool = StrokeTool | ShapeTool | 'text' | 'eraser' | 'laser' | 'pan';

/** What a pen holder's toolbar offers; the host also pans (`pan`). */
export const DRAW_TOOLS: readonly BoardTool[] = [
  'pen',
  'highlighter',
  'line',
  'arrow',
  'rect',
  'ellipse',
  'text',
  'eraser',
  'laser',
];
export const HOST_TOOLS: readonly BoardTool[] = [...DRAW_TOOLS, 'pan'];

export const isStrokeTool = (tool: BoardTool): tool is StrokeTool => tool === 'pen' || tool === 'highlighter';
export const isShapeTool = (tool: BoardTool): tool is ShapeTool =>
  tool === 'line' || tool === 'arrow' || tool === 'rect' || tool === 'ellipse';

/** Colours that read on a white board and on a projector. */
export const PALETTE = ['#1f2328', '#e03131', '#1971c2', '#2f9e44', '#f08c00', '#9c36b5'] as const;
/** The highlighter's default: yellow, drawn translucent. */
export const HIGHLIGHT_COLOR = '#fab005';
/** Line widths in page units (a page is 1600 wide). */
export const WIDTHS = [3, 6, 12, 24] as const;
/** Shapes smaller than this (page units, both sides) are a slip of the hand, not a shape. */
const MIN_SHAPE = 2;

/** The stroke a pen or highlighter draws with the chosen colour and width. */
export function strokeStyle(tool: StrokeTool, color: string, width: number): StrokeStyle {
  return tool === 'highlighter'
    ? { tool, color, width: Math.min(200, width * 4 + 8) }
    : { tool, color, width };
}

/** Text size for a chosen line width: the widths map onto readable sizes. */
export function textSize(width: number): number {
  const sizes: Record<number, number> = { 3: 28, 6: 40, 12: 56, 24: 80 };
  return sizes[width] ?? Math.min(400, Math.max(4, width * 6));
}

const xy = (p: Point): [number, number] => [roundCoord(p.x), roundCoord(p.y)];

export function shapeOp(
  shape: ShapeTool,
  pageId: string,
  from: Point,
  to: Point,
  color: string,
  width: number,
): BoardWriteBody | null {
  if (Math.abs(to.x - from.x) < MIN_SHAPE && Math.abs(to.y - from.y) < MIN_SHAPE) return null;
  return { type: 'shape', pageId, shape, from: xy(from), to: xy(to), color, width, fill: null };
}

/** A shape or text operation as it will be drawn once the server has it (drawn here until then). */
export function previewObject(
  op: Extract<BoardWriteBody, { type: 'shape' | 'text' }>,
  by: BoardAuthor,
): BoardObject {
  const base = { id: 'o0', by, z: Number.MAX_SAFE_INTEGER };
  if (op.type === 'shape') {
    const { shape, from, to, color, width, fill } = op;
    return { ...base, kind: 'shape', shape, from, to, color, width, fill };
  }
  const { at, text, color, size } = op;
  return { ...base, kind: 'text', at, text, color, size };
}

export function textOp(
  pageId: string,
  at: Point,
  text: string,
  color: string,
  size: number,
): BoardWriteBody | null {
  const trimmed = text.trim().slice(0, BOARD_LIMITS.textChars);
  if (trimmed === '') return null;
  return { type: 'text', pageId, at: xy(at), text: trimmed, color, size };
}

/** Erase operations for these objects (several when there are more than one operation may name). */
export type EraseOp = Extract<BoardWriteBody, { type: 'erase' }>;

export function eraseOps(pageId: string, objectIds: readonly string[]): EraseOp[] {
  const unique = [...new Set(objectIds)];
  const ops: EraseOp[] = [];
  for (let i = 0; i < unique.length; i += BOARD_LIMITS.eraseIds) {
    ops.push({ type: 'erase', pageId, objectIds: unique.slice(i, i + BOARD_LIMITS.eraseIds) });
  }
  return ops;
}

export function undoOp(state: BoardState, me: BoardAuthor): BoardWriteBody | null {
  const target = undoTarget(state, me);
  return target === null ? null : { type: 'undo', target };
}

export function redoOp(state: BoardState, me: BoardAuthor): BoardWriteBody | null {
  const target = redoTarget(state, me);
  return target === null ? null : { type: 'redo', target };
}

/** The author a page writes as: the host side, a classroom, or nobody (an observer). */
export function authorOf(role: Role, classroomId: string | null): BoardAuthor | null {
  if (role === 'host') return 'host';
  if (role === 'classroom' && classroomId !== null) return classroomAuthor(classroomId);
  return null;
}

/** Whether this author may draw now: the host always, a classroom while it holds the pen. */
export function canDraw(state: BoardState, me: BoardAuthor | null): boolean {
  if (me === null || me === 'server') return false;
  if (me === 'host') return true;
  return state.pens.includes(me.slice('classroom:'.length));
}

/** Whether the eraser may take this object: the host any, a classroom its own. */
export function mayErase(me: BoardAuthor | null, object: BoardObject): boolean {
  return me === 'host' || (me !== null && object.by === me);
}

/** The page's place (1-based) and the number of pages. */
export function pagePosition(
  state: BoardState,
  pageId: string = state.pageId,
): { index: number; count: number } {
  return { index: state.pages.findIndex((p) => p.id === pageId) + 1, count: state.pages.length };
}

/** The page before or after the shown one, or null at an end. */
export function neighbourPage(state: BoardState, step: -1 | 1): string | null {
  const i = state.pages.findIndex((p) => p.id === state.pageId);
  return state.pages[i + step]?.id ?? null;
}

export function pageTurnOp(state: BoardState, step: -1 | 1): BoardWriteBody | null {
  const pageId = neighbourPage(state, step);
  return pageId === null ? null : { type: 'page:turn', pageId };
}

/** A new blank page (or a courseware page) right after the shown one. */
export function pageAddOp(state: BoardState, background: BoardBackground | null = null): BoardWriteBody {
  return { type: 'page:add', after: state.pageId, background };
}

export function zoomOp(state: BoardState, direction: 'in' | 'out' | 'reset'): BoardWriteBody {
  const view =
    direction === 'reset'
      ? DEFAULT_VIEW
      : zoomedView(state.view, direction === 'in' ? ZOOM_STEP : 1 / ZOOM_STEP);
  return { type: 'view', ...view };
}

/**
 * The operations that put a courseware file's pages on the board, in order: the first goes on the shown
 * page when that page is still blank, the others on new pages after it (at most `room` new pages).
 * Page ids are only known once the server numbered an operation, so the caller sends them one by one
 * and passes the page it got (`after`): see coursewarePlan's use in the board client.
 */
export function coursewareFirstOp(
  state: BoardState,
  fileId: string,
): { op: BoardWriteBody; reusesPage: boolean } {
  const page = state.pages.find((p) => p.id === state.pageId);
  const blank = page !== undefined && page.objects.length === 0 && page.background === null;
  const background = { fileId, page: 1 };
  return blank
    ? { op: { type: 'background', pageId: state.pageId, background }, reusesPage: true }
    : { op: { type: 'page:add', after: state.pageId, background }, reusesPage: false };
}

/** How many more pages the board can take. */
export function pagesLeft(state: BoardState): number {
  return Math.max(0, BOARD_LIMITS.pages - state.pages.length);
}

/** Whether the host has put anything on the board yet (a classroom then shows the board). */
export function boardInUse(state: BoardState): boolean {
  return state.pages.length > 1 || state.pages.some((p) => p.objects.length > 0 || p.background !== null);
}
