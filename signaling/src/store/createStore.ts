import { RedisStore } from './RedisStore.ts';
import { SqliteStore } from './SqliteStore.ts';
import type { Store } from './Store.ts';

/**
 * The store a node runs on: Redis when a URL is given (several nodes share it), else the SQLite file in
 * `dataDir` (one machine, no other service to run).
 */
export async function createStore(opts: { redisUrl?: string | undefined; dataDir: string }): Promise<Store> {
  if (opts.redisUrl !== undefined && opts.redisUrl !== '') return RedisStore.connect(opts.redisUrl);
  return SqliteStore.open(opts.dataDir);
}
