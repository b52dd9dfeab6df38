/**
 * The shared whiteboard: what a board is (pages of objects over courseware) and the operations that change
 * it. The board's state is a pure function of its operation log (reducer.ts); server and browsers run the
 * same reducer, so they converge on the same state. The events that carry operations are the protocol's
 * (`@cloudschool/protocol`, board.ts).
 *
 * Coordinates are page units: a page is BOARD_PAGE_WIDTH × BOARD_PAGE_HEIGHT (16:9), courseware is fitted
 * into it; values off the page (to ±BOARD_COORD_MAX) are allowed. Clients should round to 0.1 unit: a
 * stroke of BOARD_LIMITS.pointsPerStroke points must still fit in BOARD_LIMITS.opBytes.
 */
import { z } from 'zod';

/** A classroom's id, as the roster names it. */
const id = z.string().min(1).max(64);

export const BOARD_PAGE_WIDTH = 1600;
export const BOARD_PAGE_HEIGHT = 900;
export const BOARD_COORD_MAX = 100_000;

export const BOARD_LIMITS = {
  /** Points of one finished stroke. */
  pointsPerStroke: 2000,
  /** Points of one live batch (`board:stroke:points`, sent every ~30 ms). */
  pointsPerBatch: 200,
  /** One sequenced operation as JSON (UTF-8 bytes). */
  opBytes: 32 * 1024,
  pages: 200,
  objectsPerPage: 5000,
  /** Object ids of one erase. */
  eraseIds: 500,
  textChars: 1000,
  /** Undoable operations the board remembers (all authors together); older ones are final. */
  history: 200,
} as const;

export const coord = z.number().min(-BOARD_COORD_MAX).max(BOARD_COORD_MAX);
/** A pen sample: x, y and pressure (0–1; the stroke's width scales with it). */
export const boardPoint = z.tuple([coord, coord, z.number().min(0).max(1)]);
const xy = z.tuple([coord, coord]);
export const color = z.string().regex(/^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/, 'color: #rrggbb or #rrggbbaa');
export const lineWidth = z.number().min(0.5).max(200);
/** Sequence numbers start at 1; 0 means "nothing yet". */
const seq = z.int().min(1).max(Number.MAX_SAFE_INTEGER);
export const seqOrZero = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Pages and objects are named by the server after the seq of the operation that made them: p<seq>, o<seq>. */
export const boardPageId = z.string().regex(/^p\d{1,16}$/, 'page id: p<seq>');
export const boardObjectId = z.string().regex(/^o\d{1,16}$/, 'object id: o<seq>');
/** Chosen by the drawing client, so live batches and the finished stroke can be matched. */
export const strokeId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'stroke id: 1–64 letters, digits, - or _');
export const coursewareFileId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'courseware file id: a UUID');

export const pageIdOf = (seq: number): string => `p${seq}`;
export const objectIdOf = (seq: number): string => `o${seq}`;
/** The page every board starts with. */
export const FIRST_PAGE_ID = 'p0';

/** Who wrote an operation: the host side, a classroom holding the pen, or the server (automatic pen revoke). */
export const boardAuthor = z.union([
  z.literal('host'),
  z.literal('server'),
  z.templateLiteral(['classroom:', z.string().min(1).max(64)]),
]);
export type BoardAuthor = z.infer<typeof boardAuthor>;
export const classroomAuthor = (classroomId: string): BoardAuthor => `classroom:${classroomId}`;

/** A page's background: one page (from 1) of an uploaded courseware file (PDF; an image has page 1). */
export const boardBackground = z.strictObject({ fileId: coursewareFileId, page: z.int().min(1).max(10_000) });
export type BoardBackground = z.infer<typeof boardBackground>;

/** What the host's page shows: the page point at the viewport's centre, and the zoom (1 = page fits). */
export const boardView = z.strictObject({ zoom: z.number().min(0.1).max(10), x: coord, y: coord });
export type BoardView = z.infer<typeof boardView>;
export const DEFAULT_VIEW: BoardView = { zoom: 1, x: BOARD_PAGE_WIDTH / 2, y: BOARD_PAGE_HEIGHT / 2 };

export const strokeTool = z.enum(['pen', 'highlighter']);

// ---------------------------------------------------------------- operations (what the log holds)

export const strokeFields = {
  strokeId,
  pageId: boardPageId,
  tool: strokeTool,
  color,
  width: lineWidth,
  points: z.array(boardPoint).min(1).max(BOARD_LIMITS.pointsPerStroke),
};

/** A finished stroke (pen or highlighter) with every input point. */
const strokeOp = z.strictObject({ type: z.literal('stroke'), ...strokeFields });
const shapeOp = z.strictObject({
  type: z.literal('shape'),
  pageId: boardPageId,
  shape: z.enum(['line', 'arrow', 'rect', 'ellipse']),
  from: xy,
  to: xy,
  color,
  width: lineWidth,
  fill: color.nullable(),
});
const textOp = z.strictObject({
  type: z.literal('text'),
  pageId: boardPageId,
  at: xy,
  text: z.string().min(1).max(BOARD_LIMITS.textChars),
  color,
  size: z.number().min(4).max(400),
});
/** Object eraser: removes whole objects. */
const eraseOp = z.strictObject({
  type: z.literal('erase'),
  pageId: boardPageId,
  objectIds: z.array(boardObjectId).min(1).max(BOARD_LIMITS.eraseIds),
});
/** Host only: removes every object of a page (undoable). */
const clearOp = z.strictObject({ type: z.literal('clear'), pageId: boardPageId });
/** Host only: a new page after `after` (null: at the end), shown at once. */
const pageAddOp = z.strictObject({
  type: z.literal('page:add'),
  after: boardPageId.nullable(),
  background: boardBackground.nullable(),
});
/** Host only: show another page (the view is reset). */
const pageTurnOp = z.strictObject({ type: z.literal('page:turn'), pageId: boardPageId });
/** Host only: a page's courseware background (null: blank). */
const backgroundOp = z.strictObject({
  type: z.literal('background'),
  pageId: boardPageId,
  background: boardBackground.nullable(),
});
/** Host only: zoom and pan, followed by every classroom. */
const viewOp = z.strictObject({ type: z.literal('view'), ...boardView.shape });
/** Takes back one of the author's own operations (stroke, shape, text, erase, clear), named by its seq. */
const undoOp = z.strictObject({ type: z.literal('undo'), target: seq });
/** Puts back one of the author's own undone operations, named by its seq. */
const redoOp = z.strictObject({ type: z.literal('redo'), target: seq });
/** Written by the server on `board:pen:grant` / `board:pen:revoke` and when a pen holder leaves the stage. */
const penOp = z.strictObject({ type: z.literal('pen'), classroomId: id, on: z.boolean() });

const writeOps = [
  shapeOp,
  textOp,
  eraseOp,
  clearOp,
  pageAddOp,
  pageTurnOp,
  backgroundOp,
  viewOp,
  undoOp,
  redoOp,
] as const;

/** What `board:op` may carry: every operation but strokes (`board:stroke:end`) and pens (`board:pen:*`). */
export const boardWriteBody = z.discriminatedUnion('type', [...writeOps]);
export type BoardWriteBody = z.infer<typeof boardWriteBody>;

export const boardOpBody = z.discriminatedUnion('type', [strokeOp, ...writeOps, penOp]);
export type BoardOpBody = z.infer<typeof boardOpBody>;
export type BoardOpType = BoardOpBody['type'];

/** A sequenced operation, as stored and as pushed in `board:op`. `at` is the server's clock (ms). */
export const boardOp = z.strictObject({ seq, at: z.int(), by: boardAuthor, op: boardOpBody });
export type BoardOp = z.infer<typeof boardOp>;

// ---------------------------------------------------------------- state (what the reducer computes)

const objectBase = { id: boardObjectId, by: boardAuthor, z: seq };

export const boardObject = z.discriminatedUnion('kind', [
  z.strictObject({
    ...objectBase,
    kind: z.literal('stroke'),
    tool: strokeTool,
    color,
    width: lineWidth,
    points: z.array(boardPoint),
  }),
  z.strictObject({
    ...objectBase,
    kind: z.literal('shape'),
    shape: z.enum(['line', 'arrow', 'rect', 'ellipse']),
    from: xy,
    to: xy,
    color,
    width: lineWidth,
    fill: color.nullable(),
  }),
  z.strictObject({
    ...objectBase,
    kind: z.literal('text'),
    at: xy,
    text: z.string(),
    color,
    size: z.number(),
  }),
]);
/** Something drawn on a page; `z` (the seq that made it) orders objects bottom to top. */
export type BoardObject = z.infer<typeof boardObject>;

export const boardPage = z.strictObject({
  id: boardPageId,
  background: boardBackground.nullable(),
  /** The visible objects, bottom to top (by z). */
  objects: z.array(boardObject),
});
export type BoardPage = z.infer<typeof boardPage>;

/** An undoable operation the board still remembers: what it added and removed, and whether it is undone. */
export const boardHistoryEntry = z.strictObject({
  seq,
  by: boardAuthor,
  pageId: boardPageId,
  adds: z.array(boardObjectId),
  removes: z.array(boardObjectId),
  undone: z.boolean(),
  /** The seq of the undo that undid it (null while it is in effect): redo takes back the latest undo. */
  undoneBy: seq.nullable(),
});
export type BoardHistoryEntry = z.infer<typeof boardHistoryEntry>;

export const boardState = z.strictObject({
  /** The last operation applied (0: none). */
  seq: seqOrZero,
  pages: z.array(boardPage).min(1),
  /** The page the host shows. */
  pageId: boardPageId,
  view: boardView,
  /** Classrooms holding the pen, sorted. */
  pens: z.array(id),
  /** Undoable operations, oldest first, at most BOARD_LIMITS.history. */
  history: z.array(boardHistoryEntry),
  /** Objects not shown now that an undo or redo of a remembered operation can bring back (by z). */
  trash: z.array(boardObject),
});
/** A board as the reducer computes it; a snapshot is one of these, covering the operations up to `seq`. */
export type BoardState = z.infer<typeof boardState>;

const utf8 = new TextEncoder();
/** The JSON size of a payload in UTF-8 bytes, as the op size limit counts it. */
export const jsonBytes = (value: unknown): number => utf8.encode(JSON.stringify(value)).length;

/** What a page needs to catch up (the answer of `board:sync`). */
export interface BoardSyncResult {
  /** The last seq the server has. */
  headSeq: number;
  /** Set when the client must start over from it (first load, or afterSeq too old or unknown). */
  snapshot: BoardState | null;
  /** In seq order, after `afterSeq` (or after the snapshot's seq), up to headSeq: no gaps, no duplicates. */
  ops: BoardOp[];
}
