import type { Batch, Collection } from '../Backend.ts';
import { decodeValue, encodeValue, fieldsOf, partsOf } from '../entity.ts';
import type { Entity, Field, NumberField, RedisStrings, Value } from '../entity.ts';
import { sortBy } from '../order.ts';
import { CorruptRecordError, decodeRecord } from '../records.ts';
import { ConflictError } from '../Store.ts';
import type { Multi, StoreClient } from './client.ts';
import type { RedisKeys } from './keys.ts';
import type { IndexedRecordWrite, PlainRecordWrite } from './putRecordsScript.ts';

/** How often a uniqueness-checked write is tried again when its records change under it. */
const WRITE_ATTEMPTS = 30;

/** Where one record is: a string key, or a field of its scope's hash. */
interface Slot {
  key: string;
  field?: string;
}

/**
 * Any Entity in Redis, placed as it declares (RedisStrings: a string per record and an index per scope;
 * RedisHash: a hash per scope). Writes of a record and its index entries are one MULTI; writes that check
 * a unique value are one Lua script (putRecordsScript.ts).
 */
export class RedisCollection<T extends object, S extends Field<T>, I extends Field<T>> implements Collection<
  T,
  S,
  I
> {
  readonly #client: StoreClient;
  readonly #keys: RedisKeys;
  readonly #entity: Entity<T, S, I>;
  /** The fields of a key: the scope's, then the id. */
  readonly #key: readonly (S | I)[];
  readonly #value: Value<T>;

  constructor(client: StoreClient, keys: RedisKeys, entity: Entity<T, S, I>) {
    this.#client = client;
    this.#keys = keys;
    this.#entity = entity;
    this.#key = [...entity.scope, entity.id];
    this.#value = entity.redis.value ?? 'record';
  }

  async get(key: Pick<T, S | I>): Promise<T | undefined> {
    return this.#read(partsOf(this.#key, key));
  }

  async getByUnique(value: string): Promise<T | undefined> {
    const { unique } = this.#entity;
    const id = await this.#client.get(this.#uniqueKey(value));
    if (id === null) return undefined;
    const record = await this.#read([id]);
    // Written by one script with the index, a record is missing or moved only in a race with a write.
    return unique !== undefined && record?.[unique] === value ? record : undefined;
  }

  async list(scope: Pick<T, S>): Promise<T[]> {
    const parts = partsOf(this.#entity.scope, scope);
    const placement = this.#entity.redis;
    if ('hash' in placement) {
      const key = this.#keys.key(placement.hash, ...parts);
      const fields = await this.#client.hGetAll(key);
      return this.#inOrder(
        Object.entries(fields).map(([id, text]) => this.#decode(text, [...parts, id], `${key} ${id}`)),
      );
    }
    const index = this.#index(placement);
    const key = this.#keys.key(index.key, ...parts);
    const ids =
      index.score === undefined ? await this.#client.sMembers(key) : await this.#client.zRange(key, 0, -1);
    return this.#inOrder(await this.#readListed(parts, ids));
  }

  async listBetween(scope: Pick<T, S>, field: NumberField<T>, from: number, to: number): Promise<T[]> {
    const parts = partsOf(this.#entity.scope, scope);
    const index = this.#index(this.#strings());
    if (index.score !== field) throw new Error(`${this.#entity.name}: no index scored by ${field}`);
    const key = this.#keys.key(index.key, ...parts);
    const ids = await this.#client.zRange(key, scoreBound(from, ''), scoreBound(to, '('), { BY: 'SCORE' });
    return this.#inOrder(await this.#readListed(parts, ids));
  }

  async put<U extends object>(records: readonly T[], alongside?: Batch<U>): Promise<void> {
    const plain = alongside === undefined ? undefined : this.#other(alongside);
    if (this.#entity.unique !== undefined) {
      await this.#putUnique(records, plain);
      return;
    }
    if (records.length === 0 && plain === undefined) return;
    const multi = this.#client.multi();
    for (const record of records) this.#write(multi, record);
    if (plain !== undefined) for (const record of plain.records) plain.collection.#write(multi, record);
    await multi.exec();
  }

  async insert(record: T): Promise<boolean> {
    const multi = this.#client.multi();
    this.#write(multi, record, { ifAbsent: true });
    // SET NX answers 'OK' or null; HSETNX 1 or 0.
    const [written]: unknown[] = await multi.exec();
    return written === 'OK' || written === 1;
  }

  async delete(key: Pick<T, S | I>): Promise<boolean> {
    const parts = partsOf(this.#key, key);
    const slot = this.#slot(parts);
    const multi = this.#client.multi();
    if (slot.field === undefined) multi.del(slot.key);
    else multi.hDel(slot.key, slot.field);
    const entry = this.#indexEntry(parts);
    if (entry?.score !== undefined) multi.zRem(entry.key, entry.id);
    else if (entry !== undefined) multi.sRem(entry.key, entry.id);
    const [removed]: unknown[] = await multi.exec();
    return typeof removed === 'number' && removed > 0;
  }

  /**
   * Writes records that hold unique values (and the records of `plain`) through the put-records script,
   * which checks every value against its index before it writes anything (putRecordsScript.ts).
   */
  async #putUnique<U extends object>(records: readonly T[], plain?: Other<U>): Promise<void> {
    const { unique, name } = this.#entity;
    if (unique === undefined) throw new Error(`${name}: no unique field`);
    const writes = records.map((record) => {
      const parts = partsOf(this.#key, record);
      return { record, parts, key: this.#slot(parts).key };
    });
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      // What each record is now, to know which unique value it gives up; the script retries if it changed.
      const current = writes.length === 0 ? [] : await this.#client.mGet(writes.map(({ key }) => key));
      const indexed = writes.map(({ record, parts, key }, index): IndexedRecordWrite => {
        const expected = current[index] ?? undefined;
        const old = expected === undefined ? undefined : this.#decode(expected, parts, key);
        return {
          id: parts.at(-1) ?? '',
          json: encodeValue(this.#value, record),
          recordKey: key,
          indexKey: this.#uniqueKey(String(record[unique])),
          oldIndexKey: old === undefined ? undefined : this.#uniqueKey(String(old[unique])),
          expected,
        };
      });
      const reply = await this.#client.putRecords({
        indexedSet: this.#idSet(),
        indexed,
        // Without plain records the script never touches the plain set.
        plainSet: plain === undefined ? this.#idSet() : plain.collection.#idSet(),
        plain: plain === undefined ? [] : plain.records.map((record) => plain.collection.#plainWrite(record)),
      });
      if (reply.ok) return;
      if ('conflict' in reply) {
        const record = records[reply.conflict];
        throw new ConflictError(`${name} ${unique} ${String(record?.[unique])} belongs to another ${name}`);
      }
      // Another write changed these records since they were read: back off a little (jittered, so two
      // writers that collided do not collide again), read again and retry.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 32)));
    }
    throw new Error(`write gave up: its records kept changing under it ${WRITE_ATTEMPTS} times`);
  }

  #uniqueKey(value: string): string {
    const { unique } = this.#strings();
    if (unique === undefined) throw new Error(`${this.#entity.name}: no unique index`);
    return this.#keys.key(unique, value);
  }

  /** The set of all ids, the index of what the put-records script writes: plain records of one set. */
  #idSet(): string {
    const index = this.#index(this.#strings());
    if (index.score !== undefined || this.#entity.scope.length > 0 || this.#entity.expiresAt !== undefined) {
      throw new Error(`${this.#entity.name}: not plain records of one set`);
    }
    return this.#keys.key(index.key);
  }

  #plainWrite(record: T): PlainRecordWrite {
    const parts = partsOf(this.#key, record);
    return {
      id: parts.at(-1) ?? '',
      json: encodeValue(this.#value, record),
      recordKey: this.#slot(parts).key,
    };
  }

  /** Queues the writes of a record and its index entry. */
  #write(multi: Multi, record: T, options: { ifAbsent?: boolean } = {}): void {
    const parts = partsOf(this.#key, record);
    const slot = this.#slot(parts);
    const text = encodeValue(this.#value, record);
    if (slot.field !== undefined) {
      if (options.ifAbsent === true) multi.hSetNX(slot.key, slot.field, text);
      else multi.hSet(slot.key, slot.field, text);
      return;
    }
    const { expiresAt } = this.#entity;
    multi.set(slot.key, text, {
      ...(options.ifAbsent === true ? { condition: 'NX' } : {}),
      // Redis drops the key itself; at least 1 ms, as a record is written only while it lives.
      ...(expiresAt === undefined
        ? {}
        : { expiration: { type: 'PX', value: Math.max(1, Number(record[expiresAt]) - Date.now()) } }),
    });
    const entry = this.#indexEntry(parts);
    if (entry === undefined) return;
    if (entry.score === undefined) multi.sAdd(entry.key, entry.id);
    else multi.zAdd(entry.key, { score: Number(record[entry.score]), value: entry.id });
  }

  /** Where the record at `parts` is listed: its scope's index, and the field it is scored by. */
  #indexEntry(parts: readonly string[]): { key: string; id: string; score?: NumberField<T> } | undefined {
    const placement = this.#entity.redis;
    if (!('string' in placement) || placement.index === undefined) return undefined;
    const { key, score } = placement.index;
    return { key: this.#keys.key(key, ...parts.slice(0, -1)), id: parts.at(-1) ?? '', score };
  }

  async #read(parts: readonly string[]): Promise<T | undefined> {
    const slot = this.#slot(parts);
    const text =
      slot.field === undefined
        ? await this.#client.get(slot.key)
        : await this.#client.hGet(slot.key, slot.field);
    const where = slot.field === undefined ? slot.key : `${slot.key} ${slot.field}`;
    return text === null ? undefined : this.#decode(text, parts, where);
  }

  /** The records with `ids` in a scope, each of which its index says exists. */
  async #readListed(scopeParts: readonly string[], ids: readonly string[]): Promise<T[]> {
    if (ids.length === 0) return [];
    const keys = ids.map((id) => this.#slot([...scopeParts, id]).key);
    const texts = await this.#client.mGet(keys);
    return texts.map((text, index) => {
      const key = keys[index] ?? '';
      if (text === null) throw new CorruptRecordError(`${key}: listed in its index but missing`);
      return this.#decode(text, [...scopeParts, ids[index] ?? ''], key);
    });
  }

  #decode(text: string, parts: readonly string[], where: string): T {
    const value = decodeValue(this.#value, text, fieldsOf(this.#key, parts), where);
    return decodeRecord(this.#entity.schema, value, where);
  }

  #inOrder(records: T[]): T[] {
    return sortBy(records, this.#entity.order);
  }

  #slot(parts: readonly string[]): Slot {
    const placement = this.#entity.redis;
    if ('string' in placement) return { key: this.#keys.key(placement.string, ...parts) };
    return { key: this.#keys.key(placement.hash, ...parts.slice(0, -1)), field: parts.at(-1) ?? '' };
  }

  #strings(): RedisStrings<T> {
    const placement = this.#entity.redis;
    if ('string' in placement) return placement;
    throw new Error(`${this.#entity.name}: kept in a hash, not a string each`);
  }

  #index(placement: RedisStrings<T>): NonNullable<RedisStrings<T>['index']> {
    if (placement.index !== undefined) return placement.index;
    throw new Error(`${this.#entity.name}: no index to list by`);
  }

  #other<U extends object>(batch: Batch<U>): Other<U> {
    return {
      collection: new RedisCollection(this.#client, this.#keys, batch.entity),
      records: batch.records,
    };
  }
}

/** Records of another entity written with a batch. */
interface Other<U extends object> {
  collection: RedisCollection<U, Field<U>, Field<U>>;
  records: readonly U[];
}

/** A ZRANGE BYSCORE bound; `exclusive` is '(' for an open bound. */
function scoreBound(score: number, exclusive: '' | '('): string {
  if (score === Number.POSITIVE_INFINITY) return '+inf';
  if (score === Number.NEGATIVE_INFINITY) return '-inf';
  return `${exclusive}${score}`;
}
