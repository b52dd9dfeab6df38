import type { Members } from '../Backend.ts';
import { fieldsOf, partsOf } from '../entity.ts';
import type { Field, MemberEntity } from '../entity.ts';
import { sortBy } from '../order.ts';
import { decodeRecord } from '../records.ts';
import type { StoreClient } from './client.ts';
import type { RedisKeys } from './keys.ts';

/**
 * Any MemberEntity in Redis: a set per scope whose members are the records' ids, or a sorted set that also
 * keeps each one's score (a hand's raisedAt). Members are plain ids, not encoded.
 */
export class RedisMembers<T extends object, S extends Field<T>, I extends Field<T>> implements Members<
  T,
  S,
  I
> {
  readonly #client: StoreClient;
  readonly #keys: RedisKeys;
  readonly #entity: MemberEntity<T, S, I>;

  constructor(client: StoreClient, keys: RedisKeys, entity: MemberEntity<T, S, I>) {
    this.#client = client;
    this.#keys = keys;
    this.#entity = entity;
  }

  async insert(record: T): Promise<boolean> {
    const key = this.#setKey(record);
    const id = String(record[this.#entity.id]);
    const placement = this.#entity.redis;
    // NX: a member already there keeps its score (a hand its place in the queue); replies count the members added.
    const added =
      'set' in placement
        ? await this.#client.sAdd(key, id)
        : await this.#client.zAdd(
            key,
            { score: Number(record[placement.score]), value: id },
            { condition: 'NX' },
          );
    return added > 0;
  }

  async delete(key: Pick<T, S | I>): Promise<boolean> {
    const setKey = this.#setKey(key);
    const id = String(key[this.#entity.id]);
    const removed =
      'set' in this.#entity.redis ? await this.#client.sRem(setKey, id) : await this.#client.zRem(setKey, id);
    return removed > 0;
  }

  async list(scope: Pick<T, S>): Promise<T[]> {
    const key = this.#setKey(scope);
    const known = fieldsOf(this.#entity.scope, partsOf(this.#entity.scope, scope));
    const placement = this.#entity.redis;
    const members =
      'set' in placement
        ? (await this.#client.sMembers(key)).map((id) => ({ ...known, [this.#entity.id]: id }))
        : (await this.#client.zRangeWithScores(key, 0, -1)).map(({ value, score }) => ({
            ...known,
            [this.#entity.id]: value,
            [placement.score]: score,
          }));
    return sortBy(
      members.map((member) => decodeRecord(this.#entity.schema, member, key)),
      this.#entity.order,
    );
  }

  #setKey(scope: Pick<T, S>): string {
    const placement = this.#entity.redis;
    const name = 'set' in placement ? placement.set : placement.sortedSet;
    return this.#keys.key(name, ...partsOf(this.#entity.scope, scope));
  }
}
