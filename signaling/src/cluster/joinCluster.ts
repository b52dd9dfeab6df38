import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import type { Logger } from '../logger.ts';
import type { IoServer } from '../socket/types.ts';
import { NodeRegistry } from './NodeRegistry.ts';

export interface ClusterMembership {
  registry: NodeRegistry;
  /** What the heartbeat reports as this node's load, once the node can count it. */
  setLoad(load: () => { peers: number; lessons: number }): void;
  close(): Promise<void>;
}

/**
 * Makes this node one of a cluster sharing `redisUrl`: Socket.IO rooms and serverSideEmit span the nodes
 * through the Redis streams adapter (which also keeps what a reconnecting client missed), and the node
 * registers itself with a heartbeat.
 */
export async function joinCluster(
  io: IoServer,
  redisUrl: string,
  self: { nodeId: string; url: string },
  log: Logger,
): Promise<ClusterMembership> {
  const client = createClient({ url: redisUrl });
  client.on('error', (err: Error) => log.warn({ err }, 'cluster adapter: redis'));
  await client.connect();
  io.adapter(createAdapter(client, { streamName: 'cs:socket.io' }));
  let load = (): { peers: number; lessons: number } => ({ peers: 0, lessons: 0 });
  const registry = await NodeRegistry.start(
    redisUrl,
    () => ({ id: self.nodeId, url: self.url, ...load() }),
    log.child({ component: 'cluster' }),
  );
  return {
    registry,
    setLoad: (fn) => (load = fn),
    close: async () => {
      await registry.close();
      client.destroy();
    },
  };
}
