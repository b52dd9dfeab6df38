import type { BoardOptions } from '../board/Board.ts';
import type { ClusterBus } from '../cluster/ClusterBus.ts';
import { BoardRegistry } from '../board/BoardRegistry.ts';
import type { Logger } from '../logger.ts';
import type { BoardStore } from '../store/BoardStore.ts';
import { lessonRoom } from './rooms.ts';
import type { IoServer } from './types.ts';

/**
 * The boards of this node: each operation is pushed to this node's pages of its lesson; one this node
 * sequenced is told to the other nodes, which push it to theirs.
 */
export function createBoards(deps: {
  io: IoServer;
  bus: ClusterBus;
  store: BoardStore;
  log: Logger;
  options?: BoardOptions | undefined;
}): BoardRegistry {
  return new BoardRegistry(deps.store, deps.log, deps.options ?? {}, (board) => {
    board.on('op', (op, here) => {
      deps.io.local.to(lessonRoom(board.lessonId)).emit('board:op', op);
      if (here) deps.bus.publish({ type: 'board', lessonId: board.lessonId, op });
    });
  });
}
