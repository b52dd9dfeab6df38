import type { BoardOptions } from '../board/Board.ts';
import { BoardRegistry } from '../board/BoardRegistry.ts';
import type { Logger } from '../logger.ts';
import type { BoardStore } from '../store/BoardStore.ts';
import { lessonRoom } from './rooms.ts';
import type { IoServer } from './types.ts';

/** The boards of this node, each sequenced operation pushed to every page of its lesson. */
export function createBoards(deps: {
  io: IoServer;
  store: BoardStore;
  log: Logger;
  options?: BoardOptions | undefined;
}): BoardRegistry {
  return new BoardRegistry(deps.store, deps.log, deps.options ?? {}, (board) => {
    board.on('op', (op) => deps.io.to(lessonRoom(board.lessonId)).emit('board:op', op));
  });
}
