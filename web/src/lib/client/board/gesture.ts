/**
 * The whiteboard's input as a pure state machine: no DOM, no Svelte. The Whiteboard component turns
 * pointer and key events into plain data (positions in board pixels), calls `step()` with the board as
 * it is now (`GestureContext`), keeps the state it gets back and runs the commands: pointer capture,
 * the live stroke (begin, points, end), shape and text writes, erasing, the host's pan, the laser.
 * What a gesture in progress adds to the overlay (a shape, objects about to go, the eraser's ring) is
 * read from the state with `gesturePreview()`.
 *
 * One drag at a time, by the pointer that began it; a cancelled pointer ends its drag like a release.
 * Zooming is not a gesture: the host's bar sends `zoomOp()` (tools.ts); a pan follows the zoom shown.
 */
import type { BoardAuthor, BoardObject, BoardPage, BoardView, BoardWriteBody } from '@cloudschool/board';
import { objectsAlong, topmostAt } from './hitTest.ts';
import { boardPoint, simulatedPressure, type BoardPointTuple, type StrokeStyle } from './stroke.ts';
import {
  HIGHLIGHT_COLOR,
  isShapeTool,
  isStrokeTool,
  mayErase,
  PALETTE,
  previewObject,
  shapeOp,
  strokeStyle,
  textOp,
  textSize,
  WIDTHS,
  type BoardTool,
} from './tools.ts';
import type { Transform } from '@cloudschool/board/paint';
import { pannedView, toPage, type Point } from './transform.ts';

/** How near (board pixels) the eraser must come to an object; also its ring's radius. */
export const ERASER_REACH_PX = 10;

/** One position of a pointer on the board, in board (CSS) pixels from its top-left corner. */
export interface PointerSample {
  x: number;
  y: number;
  /** 0–1; 0 when the device has none (a mouse reports 0.5 while pressed). */
  pressure: number;
}

/** A pointer event as plain data. */
export interface PointerInput extends PointerSample {
  pointerId: number;
  isPrimary: boolean;
  /** 0: the main button (or a touch, or a pen's tip). */
  button: number;
  /** 'mouse', 'pen' or 'touch'. */
  pointerType: string;
  /** A move's coalesced samples (the move itself when absent or empty). */
  samples?: readonly PointerSample[];
}

/** The board as it is when an event comes. */
export interface GestureContext {
  /** The page shown. */
  page: Pick<BoardPage, 'id' | 'objects'>;
  /** The host's view: where a pan starts from. */
  view: BoardView;
  /** Page units → board pixels as drawn now (a pan in progress included). */
  transform: Transform;
  /** Who this page writes as. */
  me: BoardAuthor | null;
  /** The host's board: the pan tool works. */
  host: boolean;
  /** This page may draw now (the host, or a classroom holding the pen). */
  drawer: boolean;
}

/** A drag in progress, by one pointer. */
export type Drag =
  /** `simulated`: the made-up pressure of a mouse or finger; null for a pen, which has its own. */
  | { kind: 'stroke'; pointerId: number; simulated: number | null; last: Point }
  | { kind: 'shape'; pointerId: number; from: Point; to: Point }
  | { kind: 'erase'; pointerId: number; last: Point; swept: readonly BoardObject[] }
  /** `start` in board pixels; `startView` the host's view when it began. */
  | { kind: 'pan'; pointerId: number; start: Point; startView: BoardView };

export interface GestureState {
  readonly tool: BoardTool;
  readonly color: string;
  readonly width: number;
  readonly drag: Drag | null;
  /** The host's pan: shown instead of the host's view until that view comes back (or is refused). */
  readonly panView: BoardView | null;
  /** Where the eraser hovers, in board pixels. */
  readonly eraserAt: Point | null;
  /** A text being typed: where (page units) and what so far. */
  readonly text: { at: Point; value: string } | null;
}

export const initialGesture: GestureState = {
  tool: 'pen',
  color: PALETTE[0],
  width: WIDTHS[1],
  drag: null,
  panView: null,
  eraserAt: null,
  text: null,
};

export type GestureEvent =
  | { type: 'down'; pointer: PointerInput }
  | { type: 'move'; pointer: PointerInput }
  /** A release, or a cancelled pointer. */
  | { type: 'up'; pointer: PointerInput }
  | { type: 'leave' }
  | { type: 'tool'; tool: BoardTool }
  | { type: 'color'; color: string }
  | { type: 'width'; width: number }
  /** The text box's content changed. */
  | { type: 'type'; value: string }
  /** Enter, or the text box lost focus: the text goes on the board. */
  | { type: 'textDone' }
  | { type: 'textCancel' }
  /** Another page is shown: a drag other than a pan stops. */
  | { type: 'turn' }
  /** The host's view arrived: the local pan is done (unless still dragging). */
  | { type: 'view' }
  /** The pan's view was refused: back to the host's view. */
  | { type: 'panRefused' }
  /** This page may no longer draw (the pen was taken back): everything stops. */
  | { type: 'stop' }
  /** The board goes away: everything stops and the laser goes off. */
  | { type: 'dispose' };

/** What the component does for the machine. */
export type GestureCommand =
  | { type: 'capture'; pointerId: number }
  | { type: 'stroke:begin'; pageId: string; style: StrokeStyle; point: BoardPointTuple }
  | { type: 'stroke:point'; point: BoardPointTuple }
  | { type: 'stroke:end' }
  /** A shape or a text, drawn here at once (BoardFollower.add). */
  | { type: 'add'; op: Extract<BoardWriteBody, { type: 'shape' | 'text' }> }
  | { type: 'erase'; pageId: string; objectIds: string[] }
  /** The host's view after a pan (a `view` operation). */
  | { type: 'view'; view: BoardView }
  /** The laser at a page point; `pageId` null hides it. */
  | { type: 'laser'; pageId: string | null; x: number; y: number }
  /** A text box opened: focus it (and keep the press from taking the focus away). */
  | { type: 'text:open' };

export interface GestureStep {
  state: GestureState;
  commands: GestureCommand[];
}

const LASER_OFF: GestureCommand = { type: 'laser', pageId: null, x: 0, y: 0 };

const same = (state: GestureState): GestureStep => ({ state, commands: [] });

/** Where the pointer is on the page, in page units. */
const pagePoint = (ctx: GestureContext, p: PointerSample): Point => toPage(ctx.transform, p);

/** The eraser's reach in page units at the zoom shown. */
const reach = (ctx: GestureContext): number => ERASER_REACH_PX / Math.max(ctx.transform.scale, 1e-6);

export function step(state: GestureState, event: GestureEvent, ctx: GestureContext): GestureStep {
  switch (event.type) {
    case 'down':
      return down(state, event.pointer, ctx);
    case 'move':
      return move(state, event.pointer, ctx);
    case 'up':
      return up(state, event.pointer, ctx);
    case 'leave':
      return {
        state: state.eraserAt === null ? state : { ...state, eraserAt: null },
        commands: state.tool === 'laser' ? [LASER_OFF] : [],
      };
    case 'tool':
      return chooseTool(state, event.tool);
    case 'color':
      return same({ ...state, color: event.color });
    case 'width':
      return same({ ...state, width: event.width });
    case 'type':
      return same(state.text ? { ...state, text: { ...state.text, value: event.value } } : state);
    case 'textDone':
      return commitText(state, ctx);
    case 'textCancel':
      return same(state.text ? { ...state, text: null } : state);
    case 'turn':
      return state.drag?.kind === 'pan' ? same(state) : cancelDrag(state);
    case 'view':
      return same(state.drag?.kind === 'pan' || state.panView === null ? state : { ...state, panView: null });
    case 'panRefused':
      return same(state.panView === null ? state : { ...state, panView: null });
    case 'stop': {
      const cancelled = cancelDrag(state);
      if (cancelled.state.text === null) return cancelled;
      return { state: { ...cancelled.state, text: null }, commands: cancelled.commands };
    }
    case 'dispose': {
      const cancelled = cancelDrag(state);
      return { state: cancelled.state, commands: [...cancelled.commands, LASER_OFF] };
    }
  }
}

function down(state: GestureState, pointer: PointerInput, ctx: GestureContext): GestureStep {
  if (!ctx.drawer || !pointer.isPrimary || pointer.button !== 0) return same(state);
  // A press elsewhere puts a text being typed on the board first.
  const { state: before, commands } = state.text ? commitText(state, ctx) : same(state);
  const { tool, color, width } = before;
  const pageId = ctx.page.id;
  const pointerId = pointer.pointerId;
  const p = pagePoint(ctx, pointer);
  let drag: Drag | null = null;
  let text = before.text;
  if (isStrokeTool(tool)) {
    const pressure = pointer.pointerType === 'pen' && pointer.pressure > 0 ? pointer.pressure : null;
    const point = boardPoint(p.x, p.y, pressure ?? 0.5);
    commands.push(
      { type: 'capture', pointerId },
      { type: 'stroke:begin', pageId, style: strokeStyle(tool, color, width), point },
    );
    drag = { kind: 'stroke', pointerId, simulated: pressure === null ? 0.5 : null, last: p };
  } else if (isShapeTool(tool)) {
    commands.push({ type: 'capture', pointerId });
    drag = { kind: 'shape', pointerId, from: p, to: p };
  } else if (tool === 'eraser') {
    commands.push({ type: 'capture', pointerId });
    const hit = topmostAt(ctx.page.objects, p, reach(ctx), (o) => mayErase(ctx.me, o));
    drag = { kind: 'erase', pointerId, last: p, swept: hit ? [hit] : [] };
  } else if (tool === 'text') {
    text = { at: p, value: '' };
    commands.push({ type: 'text:open' });
  } else if (tool === 'pan' && ctx.host) {
    commands.push({ type: 'capture', pointerId });
    drag = { kind: 'pan', pointerId, start: { x: pointer.x, y: pointer.y }, startView: ctx.view };
  } else if (tool === 'laser') {
    commands.push({ type: 'laser', pageId, x: p.x, y: p.y });
  }
  return { state: { ...before, drag: drag ?? before.drag, text }, commands };
}

function move(state: GestureState, pointer: PointerInput, ctx: GestureContext): GestureStep {
  if (!ctx.drawer) return same(state);
  const next = state.tool === 'eraser' ? { ...state, eraserAt: { x: pointer.x, y: pointer.y } } : state;
  if (state.tool === 'laser' && pointer.isPrimary) {
    const p = pagePoint(ctx, pointer);
    return { state: next, commands: [{ type: 'laser', pageId: ctx.page.id, x: p.x, y: p.y }] };
  }
  const drag = state.drag;
  if (!drag || drag.pointerId !== pointer.pointerId) return same(next);
  switch (drag.kind) {
    case 'stroke': {
      const commands: GestureCommand[] = [];
      const samples = pointer.samples && pointer.samples.length > 0 ? pointer.samples : [pointer];
      let { simulated, last } = drag;
      for (const sample of samples) {
        const p = pagePoint(ctx, sample);
        let pressure: number;
        if (simulated === null) pressure = sample.pressure > 0 ? sample.pressure : 0.5;
        else {
          pressure = simulatedPressure(simulated, Math.hypot(p.x - last.x, p.y - last.y), state.width);
          simulated = pressure;
        }
        last = p;
        commands.push({ type: 'stroke:point', point: boardPoint(p.x, p.y, pressure) });
      }
      return { state: { ...next, drag: { ...drag, simulated, last } }, commands };
    }
    case 'shape':
      return same({ ...next, drag: { ...drag, to: pagePoint(ctx, pointer) } });
    case 'erase': {
      const p = pagePoint(ctx, pointer);
      const touched = objectsAlong(ctx.page.objects, drag.last, p, reach(ctx), (o) => mayErase(ctx.me, o));
      const known = new Set(drag.swept.map((o) => o.id));
      const swept = [...drag.swept, ...touched.filter((o) => !known.has(o.id))];
      return same({ ...next, drag: { ...drag, last: p, swept } });
    }
    case 'pan': {
      const dx = pointer.x - drag.start.x;
      const dy = pointer.y - drag.start.y;
      return same({ ...next, panView: pannedView(drag.startView, ctx.transform, dx, dy) });
    }
  }
}

function up(state: GestureState, pointer: PointerInput, ctx: GestureContext): GestureStep {
  const drag = state.drag;
  if (!drag || drag.pointerId !== pointer.pointerId) return same(state);
  const next = { ...state, drag: null };
  switch (drag.kind) {
    case 'stroke':
      return { state: next, commands: [{ type: 'stroke:end' }] };
    case 'shape': {
      const { tool, color, width } = state;
      const to = pagePoint(ctx, pointer);
      const op = isShapeTool(tool) ? shapeOp(tool, ctx.page.id, drag.from, to, color, width) : null;
      return { state: next, commands: op?.type === 'shape' ? [{ type: 'add', op }] : [] };
    }
    case 'erase': {
      const objectIds = drag.swept.map((o) => o.id);
      const commands: GestureCommand[] =
        objectIds.length > 0 ? [{ type: 'erase', pageId: ctx.page.id, objectIds }] : [];
      return { state: next, commands };
    }
    case 'pan':
      return { state: next, commands: state.panView ? [{ type: 'view', view: state.panView }] : [] };
  }
}

/** A drag that cannot go on: a stroke ends where it got to, a pan goes back, anything else is dropped. */
function cancelDrag(state: GestureState): GestureStep {
  const drag = state.drag;
  if (!drag) return same(state);
  if (drag.kind === 'stroke') return { state: { ...state, drag: null }, commands: [{ type: 'stroke:end' }] };
  if (drag.kind === 'pan') return same({ ...state, drag: null, panView: null });
  return same({ ...state, drag: null });
}

function chooseTool(state: GestureState, tool: BoardTool): GestureStep {
  const commands: GestureCommand[] = state.tool === 'laser' && tool !== 'laser' ? [LASER_OFF] : [];
  let color = state.color;
  // The highlighter starts yellow, and gives the default colour back when put down.
  if (tool === 'highlighter' && color === PALETTE[0]) color = HIGHLIGHT_COLOR;
  else if (state.tool === 'highlighter' && tool !== 'highlighter' && color === HIGHLIGHT_COLOR) {
    color = PALETTE[0];
  }
  return { state: { ...state, tool, color, eraserAt: null }, commands };
}

function commitText(state: GestureState, ctx: GestureContext): GestureStep {
  const text = state.text;
  if (!text) return same(state);
  const next = { ...state, text: null };
  const op = textOp(ctx.page.id, text.at, text.value, state.color, textSize(state.width));
  return { state: next, commands: op?.type === 'text' ? [{ type: 'add', op }] : [] };
}

/** What a key in the text box does: Enter puts the text on the board (Shift+Enter: a new line). */
export function textKey(key: {
  key: string;
  shiftKey: boolean;
  isComposing: boolean;
}): 'textDone' | 'textCancel' | null {
  if (key.key === 'Enter' && !key.shiftKey && !key.isComposing) return 'textDone';
  if (key.key === 'Escape') return 'textCancel';
  return null;
}

/** What a gesture in progress adds to the overlay. */
export interface GesturePreview {
  /** The shape being dragged, as it will be drawn. */
  shape: BoardObject | null;
  /** Objects the eraser has swept, about to go. */
  erasing: readonly BoardObject[];
  /** The eraser's ring, in board pixels. */
  ring: Point | null;
}

export function gesturePreview(state: GestureState, pageId: string, me: BoardAuthor | null): GesturePreview {
  const { drag, tool } = state;
  let shape: BoardObject | null = null;
  if (drag?.kind === 'shape' && isShapeTool(tool)) {
    const op = shapeOp(tool, pageId, drag.from, drag.to, state.color, state.width);
    if (op?.type === 'shape') shape = previewObject(op, me ?? 'host');
  }
  return {
    shape,
    erasing: drag?.kind === 'erase' ? drag.swept : [],
    ring: tool === 'eraser' ? state.eraserAt : null,
  };
}

/** The board's cursor for a tool. */
export function cursorFor(tool: BoardTool, drawer: boolean): string {
  if (!drawer) return 'default';
  if (tool === 'text') return 'text';
  if (tool === 'pan') return 'grab';
  if (tool === 'eraser' || tool === 'laser') return 'none';
  return 'crosshair';
}
