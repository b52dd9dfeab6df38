import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { RedisKeys } from '../../src/store/redis/keys.ts';
import { RedisStore } from '../../src/store/RedisStore.ts';
import { SQLITE_FILE, SqliteStore } from '../../src/store/SqliteStore.ts';
import type { Store } from '../../src/store/Store.ts';
import { startRedis } from '@cloudschool/testkit';
import type { TestRedis } from '@cloudschool/testkit';

/**
 * The two stores as the contract suites (store.contract, roomstore.contract, boardstore.contract) run them:
 * `describe.each(storeFactories())`, then `storePerTest(factory)` inside.
 */

/** Where one test's data lives: open() may be called again to reopen the same data (SQLite) or reconnect (Redis). */
export interface Location {
  open(): Promise<Store>;
  /** Overwrites the stored school `id` with `{"id": 1}`, behind the store's back. */
  corruptSchool(id: string): Promise<void>;
  remove(): Promise<void>;
}

export interface Factory {
  name: 'sqlite' | 'redis';
  /** Once per suite (starts redis-server). */
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** Fresh, empty data for one test. */
  location(): Promise<Location>;
}

/** A SQLite file in a temporary directory per test. */
function sqliteFactory(): Factory {
  return {
    name: 'sqlite',
    setup: async () => undefined,
    teardown: async () => undefined,
    location: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cloudschool-store-'));
      return {
        open: () => SqliteStore.open(dir),
        corruptSchool: async (id) => {
          const db = new DatabaseSync(join(dir, SQLITE_FILE));
          db.prepare('UPDATE schools SET data = ? WHERE id = ?').run('{"id":1}', id);
          db.close();
        },
        remove: () => rm(dir, { recursive: true, force: true }),
      };
    },
  };
}

/** One redis-server per suite; every test has keys of its own under a fresh prefix (no FLUSHALL between tests). */
function redisFactory(): Factory {
  let redis: TestRedis | undefined;
  let nextPrefix = 0;
  return {
    name: 'redis',
    setup: async () => {
      redis = await startRedis();
    },
    teardown: async () => {
      await redis?.stop();
    },
    location: async () => {
      const prefix = `test${nextPrefix++}`;
      const url = redis?.url ?? '';
      return {
        open: () => RedisStore.connect(url, prefix),
        corruptSchool: async (id) => {
          const client = createClient({ url });
          await client.connect();
          await client.set(new RedisKeys(prefix).key('school', id), '{"id":1}');
          await client.close();
        },
        remove: async () => undefined,
      };
    },
  };
}

export function storeFactories(): Factory[] {
  return [sqliteFactory(), redisFactory()];
}

/** The store of the running test, and its data's location. */
export interface StoreUnderTest {
  /** Opened before each test. */
  readonly store: Store;
  readonly location: Location;
  /** Opens the test's data once more (another node, a restart); closed after the test like the first. */
  open(): Promise<Store>;
}

/**
 * Registers a contract suite's hooks: the factory's setup and teardown, fresh data and a store opened on it
 * before each test, and after it every store opened closed and the data removed.
 */
export function storePerTest(factory: Factory): StoreUnderTest {
  let location: Location | undefined;
  let store: Store | undefined;
  let opened: Store[] = [];

  const open = async (): Promise<Store> => {
    if (location === undefined) throw new Error('no test is running');
    const opening = await location.open();
    opened.push(opening);
    return opening;
  };

  beforeAll(() => factory.setup());
  afterAll(() => factory.teardown());

  beforeEach(async () => {
    location = await factory.location();
    store = await open();
  });

  afterEach(async () => {
    await Promise.all(opened.map((each) => each.close()));
    opened = [];
    await location?.remove();
  });

  return {
    get store() {
      if (store === undefined) throw new Error('no test is running');
      return store;
    },
    get location() {
      if (location === undefined) throw new Error('no test is running');
      return location;
    },
    open,
  };
}
