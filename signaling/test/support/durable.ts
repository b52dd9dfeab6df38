/**
 * What the kill -9 tests share: a real server process (an admin made first) on the embedded store, or on a
 * Redis of its own, with files in a temporary DATA_DIR; killed with SIGKILL and started again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { admin, kill9, serverEnv, startRedis, startServer } from '@cloudschool/testkit';

export type DurableStore = 'embedded' | 'redis';

/** Each store a kill -9 test runs on, named for `it.each(DURABLE_STORES)('$name', …)`. */
export const DURABLE_STORES: readonly { store: DurableStore; name: string }[] = [
  { store: 'embedded', name: 'with the embedded store' },
  { store: 'redis', name: 'with Redis, Redis restarted too' },
];

export interface DurableServer {
  /** The running process's address: the same port after a crash. */
  readonly url: string;
  /** Its DATA_DIR. */
  readonly dataDir: string;
  /** Kills the server with SIGKILL (then Redis too, once it has synced), and starts it again on the same env. */
  crash(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];

/** For `afterEach`: kills the server, removes its DATA_DIR, stops its Redis. */
export async function teardown(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

export async function startDurableServer(
  store: DurableStore,
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<DurableServer> {
  const redis = store === 'redis' ? await startRedis() : undefined;
  if (redis) cleanups.push(() => redis.stop());
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cs-durable-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = await serverEnv({ DATA_DIR: dataDir, ...(redis ? { REDIS_URL: redis.url } : {}), ...extraEnv });
  await admin(env);
  let server = await startServer(env);
  cleanups.push(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) await kill9(server.child);
  });
  return {
    dataDir,
    get url() {
      return server.url;
    },
    crash: async () => {
      await kill9(server.child);
      if (redis) {
        await new Promise((r) => setTimeout(r, 1200)); // appendfsync everysec
        await redis.restart({ kill9: true });
      }
      server = await startServer(env);
    },
  };
}
