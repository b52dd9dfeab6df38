import proxyaddr from 'proxy-addr';
import type { IoServer } from './types.ts';

/**
 * At most `max` Socket.IO connections from one client address at once (behind a trusted proxy, the
 * address it forwards). A school's NAT puts many classrooms behind one address, so the ceiling is high:
 * it stops one machine from opening connections without end, not a county network.
 */
export function limitConnectionsPerAddress(
  io: IoServer,
  max: number,
  trust: (address: string, hop: number) => boolean,
): void {
  const open = new Map<string, number>();
  io.use((socket, next) => {
    const address = proxyaddr(socket.request, trust);
    const now = open.get(address) ?? 0;
    if (now >= max) {
      next(new Error('too many connections from this address'));
      return;
    }
    open.set(address, now + 1);
    socket.data.address = address;
    socket.once('disconnect', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
    next();
  });
}
