import { AppError } from '../errors.ts';
import type { Courseware } from '../board/Courseware.ts';
import type { LiveLesson } from '../lesson/LiveLesson.ts';
import type { LiveLessons } from '../lesson/LiveLessons.ts';
import { classroomAuthor, jsonBytes } from '@cloudschool/board';
import type { BoardAuthor, BoardBackground, BoardOpBody } from '@cloudschool/board';
import { TokenBucket } from '../TokenBucket.ts';
import { joined, live } from './context.ts';
import type { HandlerTable } from './edge.ts';
import type { IoSocket } from './types.ts';

type BoardEvents = 'board:sync' | 'board:op' | 'board:stroke:end' | 'board:pen:grant' | 'board:pen:revoke';

export interface BoardHandlerDeps {
  lessons: LiveLessons;
  courseware: Courseware;
}

/**
 * Per connection, on top of the edge's request rate: what it may write to the board, in bytes of JSON.
 * A busy writer (a stroke of 150 points ≈ 3 kB, several a second) stays far below; a flood does not.
 */
const WRITE_BURST_BYTES = 256 * 1024;
const WRITE_BYTES_PER_SECOND = 64 * 1024;
/** board:sync per connection: a few at once (a join and a gap or two), then one every 2 s. */
const SYNC_BURST = 4;
const SYNC_PER_SECOND = 0.5;

/** The whiteboard's acknowledged requests: who may do what is decided here and in board/rules.ts. */
export function boardHandlers(deps: BoardHandlerDeps): Pick<HandlerTable, BoardEvents> {
  const { lessons, courseware } = deps;
  const budgets = new WeakMap<IoSocket, TokenBucket>();
  const syncBudgets = new WeakMap<IoSocket, TokenBucket>();

  /** The host, or a classroom (the board then checks its pen); observers write nothing. */
  const writer = async (socket: IoSocket, op: BoardOpBody) => {
    const { lesson, page } = joined(socket, lessons, 'host', 'classroom');
    writable(lesson);
    let budget = budgets.get(socket);
    if (!budget) budgets.set(socket, (budget = new TokenBucket(WRITE_BURST_BYTES, WRITE_BYTES_PER_SECOND)));
    if (!budget.take(jsonBytes(op)))
      throw new AppError('rate_limited', 'too much drawing at once, slow down');
    const by: BoardAuthor = page.classroomId === null ? 'host' : classroomAuthor(page.classroomId);
    // Only the host sets backgrounds (the board refuses anyone else).
    const background = by === 'host' ? backgroundOf(op) : null;
    if (background && !(await courseware.has(lesson.id, background.fileId))) {
      throw new AppError('not_found', 'no such courseware file in this lesson');
    }
    return { board: lesson.board, by };
  };

  const hostBoard = async (socket: IoSocket) => {
    const { lesson } = joined(socket, lessons, 'host');
    live(lesson);
    return { lesson, board: lesson.board };
  };

  return {
    'board:sync': async ({ afterSeq }, socket) => {
      // A full answer is the whole board: a page needs one per join and per gap, not a stream of them.
      let syncs = syncBudgets.get(socket);
      if (!syncs) syncBudgets.set(socket, (syncs = new TokenBucket(SYNC_BURST, SYNC_PER_SECOND)));
      if (!syncs.take()) throw new AppError('rate_limited', 'the board is being sent: wait a moment');
      return joined(socket, lessons).lesson.board.sync(afterSeq);
    },
    'board:op': async ({ op }, socket) => {
      const w = await writer(socket, op);
      return { seq: (await w.board.write(w.by, op)).seq };
    },
    'board:stroke:end': async (stroke, socket) => {
      const op: BoardOpBody = { type: 'stroke', ...stroke };
      const w = await writer(socket, op);
      return { seq: (await w.board.write(w.by, op)).seq };
    },
    'board:pen:grant': async ({ classroomId }, socket) => {
      const { lesson, board } = await hostBoard(socket);
      if (!lesson.isInvited(classroomId)) throw new AppError('not_found', 'no such classroom');
      const op = await board.grantPen(classroomId, (id) => lesson.onStage(id));
      return { seq: op?.seq ?? null };
    },
    'board:pen:revoke': async ({ classroomId }, socket) => {
      const { board } = await hostBoard(socket);
      const op = await board.revokePen('host', classroomId);
      return { seq: op?.seq ?? null };
    },
  };
}

/** The host prepares the board before the lesson starts too; nobody writes once it has ended. */
function writable(lesson: LiveLesson): void {
  const status = lesson.info.status;
  if (status === 'ended' || status === 'cancelled')
    throw new AppError('lesson_closed', `the lesson is ${status}`);
}

function backgroundOf(op: BoardOpBody): BoardBackground | null {
  return op.type === 'page:add' || op.type === 'background' ? op.background : null;
}
