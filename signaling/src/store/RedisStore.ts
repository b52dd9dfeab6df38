import type { Backend } from './Backend.ts';
import { CollectionStore } from './CollectionStore.ts';
import type { Entity, Field, LogEntity, MemberEntity } from './entity.ts';
import { createStoreClient } from './redis/client.ts';
import type { StoreClient } from './redis/client.ts';
import { RedisKeys } from './redis/keys.ts';
import { RedisAttempts } from './redis/RedisAttempts.ts';
import { RedisAudit } from './redis/RedisAudit.ts';
import { RedisBoard } from './redis/RedisBoard.ts';
import { RedisCollection } from './redis/RedisCollection.ts';
import { RedisLog } from './redis/RedisLog.ts';
import { RedisMembers } from './redis/RedisMembers.ts';
import { RedisPresence } from './redis/RedisPresence.ts';

export interface RedisStoreOptions {
  /**
   * Errors of the connection (Redis restarting, the network). The client reconnects by itself; commands
   * issued meanwhile wait for it (and fail after the client's command timeout). Default: console.warn.
   */
  onError?: (error: Error) => void;
}

/** Every entity under its keys (redis/keys.ts) of one Redis, through one connection. */
class RedisBackend implements Backend {
  readonly kind = 'redis';
  readonly presence: RedisPresence;
  readonly board: RedisBoard;
  readonly attempts: RedisAttempts;
  readonly audit: RedisAudit;
  readonly #client: StoreClient;
  readonly #keys: RedisKeys;

  constructor(client: StoreClient, keys: RedisKeys) {
    this.#client = client;
    this.#keys = keys;
    this.presence = new RedisPresence(client, keys);
    this.board = new RedisBoard(client, keys);
    this.attempts = new RedisAttempts(client, keys);
    this.audit = new RedisAudit(client, keys);
  }

  collection<T extends object, S extends Field<T>, I extends Field<T>>(
    entity: Entity<T, S, I>,
  ): RedisCollection<T, S, I> {
    return new RedisCollection(this.#client, this.#keys, entity);
  }

  members<T extends object, S extends Field<T>, I extends Field<T>>(
    entity: MemberEntity<T, S, I>,
  ): RedisMembers<T, S, I> {
    return new RedisMembers(this.#client, this.#keys, entity);
  }

  log<T extends object, S extends Field<T>>(entity: LogEntity<T, S>): RedisLog<T, S> {
    return new RedisLog(this.#client, this.#keys, entity);
  }

  async close(): Promise<void> {
    if (this.#client.isReady) await this.#client.close();
    else this.#client.destroy();
  }
}

/**
 * The shared store: every node of a deployment connects to one Redis (REDIS_URL). Multi-key writes are one
 * MULTI/EXEC or one Lua script, so other nodes never see half of one; uniqueness (classroom code, username)
 * is checked inside the script that writes (redis/putRecordsScript.ts). Durability is Redis's:
 * infra/redis.conf ships AOF with appendfsync everysec.
 */
export class RedisStore extends CollectionStore {
  /** Connects to `url`; every key starts with `<prefix>:`. Rejects if Redis cannot be reached. */
  static async connect(url: string, prefix = 'cs', options: RedisStoreOptions = {}): Promise<RedisStore> {
    const keys = new RedisKeys(prefix);
    const client = createStoreClient(url, options.onError ?? ((error) => console.warn('redis:', error)));
    await client.connect();
    return new RedisStore(new RedisBackend(client, keys));
  }
}
