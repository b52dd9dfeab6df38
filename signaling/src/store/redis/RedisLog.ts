import type { Log } from '../Backend.ts';
import { partsOf } from '../entity.ts';
import type { Field, LogEntity } from '../entity.ts';
import { sortBy } from '../order.ts';
import { decodeJsonRecord } from '../records.ts';
import type { StoreClient } from './client.ts';
import type { RedisKeys } from './keys.ts';

/** Any LogEntity in Redis: a list per scope of the records' JSON, oldest first. */
export class RedisLog<T extends object, S extends Field<T>> implements Log<T, S> {
  readonly #client: StoreClient;
  readonly #keys: RedisKeys;
  readonly #entity: LogEntity<T, S>;

  constructor(client: StoreClient, keys: RedisKeys, entity: LogEntity<T, S>) {
    this.#client = client;
    this.#keys = keys;
    this.#entity = entity;
  }

  async append(record: T): Promise<void> {
    await this.#client.rPush(this.#listKey(record), JSON.stringify(record));
  }

  async list(scope: Pick<T, S>): Promise<T[]> {
    const key = this.#listKey(scope);
    const records = await this.#client.lRange(key, 0, -1);
    return sortBy(
      records.map((json, index) => decodeJsonRecord(this.#entity.schema, json, `${key}[${index}]`)),
      this.#entity.order,
    );
  }

  async clear(scope: Pick<T, S>): Promise<void> {
    await this.#client.del(this.#listKey(scope));
  }

  #listKey(scope: Pick<T, S>): string {
    return this.#keys.key(this.#entity.redis.list, ...partsOf(this.#entity.scope, scope));
  }
}
