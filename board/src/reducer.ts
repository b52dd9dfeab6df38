/**
 * The whiteboard reducer: `applyOp(state, op) → state`, pure and deterministic, run by the server (its
 * state and the snapshots it stores) and by every browser. Same operations in the same order → the same
 * state, deep-equal, whoever computes it. States are never mutated: a new state shares what did not change.
 *
 * The reducer is total: an operation that names a page or object that does not exist (any more), or an
 * undo of another author's operation, changes nothing but the seq. The server refuses such operations
 * before it sequences them; the reducer does not rely on it.
 *
 * Undo is selective and per author: an object is shown while the operation that made it is in effect and
 * no operation in effect removed it. Undo and redo flip one remembered operation; the objects it touched
 * move between their page and the trash accordingly. The board remembers the last BOARD_LIMITS.history
 * undoable operations; when one is forgotten, what it did becomes final and objects that can no longer come
 * back leave the trash.
 */
import { BOARD_LIMITS, DEFAULT_VIEW, FIRST_PAGE_ID, objectIdOf, pageIdOf } from './model.ts';
import type { BoardAuthor, BoardHistoryEntry, BoardObject, BoardOp, BoardPage, BoardState } from './model.ts';

/** An operation applied out of order: the caller must apply ops in seq order, without gaps. */
export class BoardSequenceError extends Error {
  override name = 'BoardSequenceError';
}

/** An empty board: one blank page, the default view, no pen given, seq 0. */
export function initialBoard(): BoardState {
  return {
    seq: 0,
    pages: [{ id: FIRST_PAGE_ID, background: null, objects: [] }],
    pageId: FIRST_PAGE_ID,
    view: { ...DEFAULT_VIEW },
    pens: [],
    history: [],
    trash: [],
  };
}

/** The board after `op`, which must be the next one (`op.seq === state.seq + 1`). */
export function applyOp(state: BoardState, op: BoardOp): BoardState {
  if (op.seq !== state.seq + 1) {
    throw new BoardSequenceError(`operation ${op.seq} cannot follow operation ${state.seq}`);
  }
  return { ...reduce(state, op), seq: op.seq };
}

/** applyOp over a list. */
export function applyOps(state: BoardState, ops: readonly BoardOp[]): BoardState {
  return ops.reduce(applyOp, state);
}

export function findPage(state: BoardState, pageId: string): BoardPage | undefined {
  return state.pages.find((p) => p.id === pageId);
}

/** The remembered operation with this seq, if it is still undoable or redoable. */
export function historyEntry(state: BoardState, seq: number): BoardHistoryEntry | undefined {
  return state.history.find((e) => e.seq === seq);
}

/** The seq an author's Undo button takes back: its latest operation in effect (null: nothing to undo). */
export function undoTarget(state: BoardState, by: BoardAuthor): number | null {
  for (let i = state.history.length - 1; i >= 0; i--) {
    const e = state.history[i]!;
    if (e.by === by && !e.undone) return e.seq;
  }
  return null;
}

/**
 * The seq an author's Redo button puts back: the operation of its latest undo, unless the author has
 * done something new since (null: nothing to redo).
 */
export function redoTarget(state: BoardState, by: BoardAuthor): number | null {
  let latest: BoardHistoryEntry | undefined;
  for (const e of state.history) {
    if (e.by === by && e.undoneBy !== null && e.undoneBy > (latest?.undoneBy ?? 0)) latest = e;
  }
  if (!latest) return null;
  const undoneAt = latest.undoneBy ?? 0;
  return state.history.some((e) => e.by === by && e.seq > undoneAt) ? null : latest.seq;
}

// ---------------------------------------------------------------- internals

function reduce(s: BoardState, { seq, by, op }: BoardOp): BoardState {
  const base = { id: objectIdOf(seq), by, z: seq };
  switch (op.type) {
    case 'stroke':
      return add(s, seq, op.pageId, {
        ...base,
        kind: 'stroke',
        tool: op.tool,
        color: op.color,
        width: op.width,
        points: op.points,
      });
    case 'shape':
      return add(s, seq, op.pageId, {
        ...base,
        kind: 'shape',
        shape: op.shape,
        from: op.from,
        to: op.to,
        color: op.color,
        width: op.width,
        fill: op.fill,
      });
    case 'text':
      return add(s, seq, op.pageId, {
        ...base,
        kind: 'text',
        at: op.at,
        text: op.text,
        color: op.color,
        size: op.size,
      });
    case 'erase': {
      const page = findPage(s, op.pageId);
      if (!page) return s;
      const wanted = new Set(op.objectIds);
      const ids = page.objects.filter((o) => wanted.has(o.id)).map((o) => o.id);
      return remove(s, seq, by, op.pageId, ids);
    }
    case 'clear': {
      const page = findPage(s, op.pageId);
      if (!page) return s;
      return remove(
        s,
        seq,
        by,
        op.pageId,
        page.objects.map((o) => o.id),
      );
    }
    case 'page:add': {
      if (s.pages.length >= BOARD_LIMITS.pages) return s;
      const page: BoardPage = { id: pageIdOf(seq), background: op.background, objects: [] };
      const after = op.after === null ? -1 : s.pages.findIndex((p) => p.id === op.after);
      const at = after < 0 ? s.pages.length : after + 1;
      return {
        ...s,
        pages: [...s.pages.slice(0, at), page, ...s.pages.slice(at)],
        pageId: page.id,
        view: { ...DEFAULT_VIEW },
      };
    }
    case 'page:turn':
      if (!findPage(s, op.pageId)) return s;
      return { ...s, pageId: op.pageId, view: { ...DEFAULT_VIEW } };
    case 'background':
      if (!findPage(s, op.pageId)) return s;
      return {
        ...s,
        pages: s.pages.map((p) => (p.id === op.pageId ? { ...p, background: op.background } : p)),
      };
    case 'view':
      return { ...s, view: { zoom: op.zoom, x: op.x, y: op.y } };
    case 'undo':
      return setUndone(s, seq, by, op.target, true);
    case 'redo':
      return setUndone(s, seq, by, op.target, false);
    case 'pen': {
      const others = s.pens.filter((c) => c !== op.classroomId);
      return { ...s, pens: op.on ? [...others, op.classroomId].sort(compare) : others };
    }
  }
}

function add(s: BoardState, seq: number, pageId: string, object: BoardObject): BoardState {
  const i = s.pages.findIndex((p) => p.id === pageId);
  const page = s.pages[i];
  if (!page || page.objects.length >= BOARD_LIMITS.objectsPerPage) return s;
  const pages = replaceAt(s.pages, i, { ...page, objects: insertByZ(page.objects, object) });
  return remember(
    { ...s, pages },
    { seq, by: object.by, pageId, adds: [object.id], removes: [], undone: false, undoneBy: null },
  );
}

function remove(s: BoardState, seq: number, by: BoardAuthor, pageId: string, ids: string[]): BoardState {
  const i = s.pages.findIndex((p) => p.id === pageId);
  const page = s.pages[i];
  if (!page || ids.length === 0) return s;
  const gone = new Set(ids);
  const pages = replaceAt(s.pages, i, { ...page, objects: page.objects.filter((o) => !gone.has(o.id)) });
  const trash = mergeByZ(
    s.trash,
    page.objects.filter((o) => gone.has(o.id)),
  );
  return remember(
    { ...s, pages, trash },
    { seq, by, pageId, adds: [], removes: ids, undone: false, undoneBy: null },
  );
}

/** Adds an undoable operation; the oldest one beyond the limit becomes final. */
function remember(s: BoardState, entry: BoardHistoryEntry): BoardState {
  let history = [...s.history, entry];
  let trash = s.trash;
  while (history.length > BOARD_LIMITS.history) {
    const oldest = history[0]!;
    history = history.slice(1);
    // What an undone add made, or what a remove in effect took away, can never be shown again.
    const final = new Set(oldest.undone ? oldest.adds : oldest.removes);
    if (final.size > 0) trash = trash.filter((o) => !final.has(o.id));
  }
  return { ...s, history, trash };
}

function setUndone(s: BoardState, seq: number, by: BoardAuthor, target: number, undo: boolean): BoardState {
  const k = s.history.findIndex((e) => e.seq === target);
  const entry = s.history[k];
  if (!entry || entry.by !== by || entry.undone === undo) return s;
  const history = replaceAt(s.history, k, { ...entry, undone: undo, undoneBy: undo ? seq : null });
  return settle({ ...s, history }, entry.pageId, [...entry.adds, ...entry.removes]);
}

/** Moves the objects `ids` of a page between the page and the trash, as the history now says. */
function settle(s: BoardState, pageId: string, ids: string[]): BoardState {
  const i = s.pages.findIndex((p) => p.id === pageId);
  const page = s.pages[i];
  if (!page) return s;
  const hidden = new Set<string>();
  for (const e of s.history) for (const id of e.undone ? e.adds : e.removes) hidden.add(id);
  const onPage = new Set(page.objects.map((o) => o.id));
  const inTrash = new Map(s.trash.map((o) => [o.id, o]));
  const show: BoardObject[] = [];
  const hide = new Set<string>();
  for (const id of new Set(ids)) {
    if (hidden.has(id)) {
      if (onPage.has(id)) hide.add(id);
    } else if (!onPage.has(id)) {
      const o = inTrash.get(id);
      if (o) show.push(o);
    }
  }
  if (show.length === 0 && hide.size === 0) return s;
  const shown = new Set(show.map((o) => o.id));
  const objects = mergeByZ(
    page.objects.filter((o) => !hide.has(o.id)),
    show,
  );
  const trash = mergeByZ(
    s.trash.filter((o) => !shown.has(o.id)),
    page.objects.filter((o) => hide.has(o.id)),
  );
  return { ...s, pages: replaceAt(s.pages, i, { ...page, objects }), trash };
}

function replaceAt<T>(list: readonly T[], i: number, item: T): T[] {
  const copy = [...list];
  copy[i] = item;
  return copy;
}

function insertByZ(list: readonly BoardObject[], object: BoardObject): BoardObject[] {
  const last = list.at(-1);
  if (!last || last.z < object.z) return [...list, object];
  return mergeByZ(list, [object]);
}

function mergeByZ(list: readonly BoardObject[], more: readonly BoardObject[]): BoardObject[] {
  if (more.length === 0) return [...list];
  return [...list, ...more].sort((a, b) => a.z - b.z);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
