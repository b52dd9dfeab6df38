import { AppError } from '../errors.ts';
import type { Wall } from '../wall/Wall.ts';
import type { HandlerTable } from './edge.ts';
import { WALL_ROOM } from './rooms.ts';

/**
 * Coordinators only, by their login: a page that watches is pushed every change until it closes (a login
 * that ends or loses its role takes its connections with it, auth/Revocations).
 */
export function wallHandlers(wall: Wall): Pick<HandlerTable, 'wall:watch'> {
  return {
    'wall:watch': async (_payload, socket) => {
      if (socket.data.account?.role !== 'coordinator') {
        throw new AppError('forbidden', 'only coordinators watch the wall');
      }
      await socket.join(WALL_ROOM);
      return wall.snapshot();
    },
  };
}
