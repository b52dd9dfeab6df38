import { AppError } from '../errors.ts';
import { BOARD_LIMITS, findPage, historyEntry } from '@cloudschool/board';
import type { BoardAuthor, BoardOpBody, BoardState } from '@cloudschool/board';

/** What a classroom holding the pen may do; everything else on the board is the host's. */
const PEN_HOLDER_OPS: ReadonlySet<BoardOpBody['type']> = new Set([
  'stroke',
  'shape',
  'text',
  'erase',
  'undo',
  'redo',
]);

/** The classroom of an author, or null for the host side and the server. */
export function classroomOfAuthor(by: BoardAuthor): string | null {
  return by.startsWith('classroom:') ? by.slice('classroom:'.length) : null;
}

/**
 * Whether `by` may write `op` on the board as it is now; throws the AppError the writer gets otherwise.
 * The host may do everything; a classroom only while it holds the pen: draw, write, erase what it wrote,
 * undo and redo its own operations. Operations naming what does not exist are refused too (the reducer
 * would ignore them), so every operation in the log did something.
 */
export function checkWrite(state: BoardState, by: BoardAuthor, op: BoardOpBody): void {
  const classroomId = classroomOfAuthor(by);
  if (by === 'server') throw new AppError('forbidden', 'the server writes pens only');
  if (classroomId !== null) {
    if (!state.pens.includes(classroomId)) {
      throw new AppError('forbidden', 'this classroom does not hold the pen');
    }
    if (!PEN_HOLDER_OPS.has(op.type))
      throw new AppError('forbidden', `only the host may ${op.type} the board`);
  }
  switch (op.type) {
    case 'stroke':
    case 'shape':
    case 'text': {
      const page = existingPage(state, op.pageId);
      if (page.objects.length >= BOARD_LIMITS.objectsPerPage) {
        throw new AppError(
          'conflict',
          `a page holds at most ${BOARD_LIMITS.objectsPerPage} objects: clear it`,
        );
      }
      return;
    }
    case 'erase': {
      const wanted = new Set(op.objectIds);
      const found = existingPage(state, op.pageId).objects.filter((o) => wanted.has(o.id));
      if (found.length === 0) throw new AppError('not_found', 'none of these objects is on the page');
      if (classroomId !== null && found.some((o) => o.by !== by)) {
        throw new AppError('forbidden', 'a classroom erases only what it wrote');
      }
      return;
    }
    case 'clear':
    case 'page:turn':
    case 'background':
      existingPage(state, op.pageId);
      return;
    case 'page:add':
      if (state.pages.length >= BOARD_LIMITS.pages) {
        throw new AppError('conflict', `a board has at most ${BOARD_LIMITS.pages} pages`);
      }
      if (op.after !== null) existingPage(state, op.after);
      return;
    case 'view':
      return;
    case 'undo':
    case 'redo': {
      const entry = historyEntry(state, op.target);
      if (!entry)
        throw new AppError('not_found', `operation ${op.target} cannot be undone or redone (any more)`);
      if (entry.by !== by)
        throw new AppError('forbidden', 'only your own operations can be undone or redone');
      if (op.type === 'undo' && entry.undone)
        throw new AppError('conflict', 'this operation is already undone');
      if (op.type === 'redo' && !entry.undone) throw new AppError('conflict', 'this operation is not undone');
      return;
    }
    case 'pen':
      throw new AppError('forbidden', 'pens are given with board:pen:grant');
  }
}

function existingPage(state: BoardState, pageId: string) {
  const page = findPage(state, pageId);
  if (!page) throw new AppError('not_found', `no page ${pageId} on this board`);
  return page;
}
