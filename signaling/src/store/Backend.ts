import type { AttendanceStore } from './AttendanceStore.ts';
import type { AuditStore } from './AuditStore.ts';
import type { BoardStore } from './BoardStore.ts';
import type { Entity, Field, LogEntity, MemberEntity, NumberField } from './entity.ts';
import type { LimitStore } from './LimitStore.ts';

/**
 * What a storage engine gives CollectionStore: a generic collection for any declared entity, and by hand
 * what no declaration describes (presence, the board, attempt counters, the audit log). Two implementations: sqlite/SqliteBackend.ts and
 * redis/RedisBackend.ts.
 *
 * Every record handed to a backend has been checked against its schema (CollectionStore does that); every
 * record a backend hands back is decoded with its schema, and lists come in the entity's order (order.ts).
 */
export interface Backend {
  readonly kind: 'sqlite' | 'redis';
  collection<T extends object, S extends Field<T>, I extends Field<T>>(
    entity: Entity<T, S, I>,
  ): Collection<T, S, I>;
  members<T extends object, S extends Field<T>, I extends Field<T>>(
    entity: MemberEntity<T, S, I>,
  ): Members<T, S, I>;
  log<T extends object, S extends Field<T>>(entity: LogEntity<T, S>): Log<T, S>;
  readonly presence: PresenceTable;
  readonly board: BoardStore;
  /** Attempt counters, checked and counted in one atomic step (entities/limits.ts). */
  readonly attempts: LimitStore;
  /** The audit log, paged by time (entities/audit.ts); entries come checked. */
  readonly audit: AuditStore;
  close(): Promise<void>;
}

/** Records that are only their key (MemberEntity); also what every Collection does. */
export interface Members<T extends object, S extends Field<T>, I extends Field<T>> {
  /** Inserts the record unless one with its key exists; answers whether it was inserted. */
  insert(record: T): Promise<boolean>;
  /** Answers whether there was a record to delete. */
  delete(key: Pick<T, S | I>): Promise<boolean>;
  list(scope: Pick<T, S>): Promise<T[]>;
}

/** Records of an Entity. */
export interface Collection<T extends object, S extends Field<T>, I extends Field<T>> extends Members<
  T,
  S,
  I
> {
  get(key: Pick<T, S | I>): Promise<T | undefined>;
  /** The record whose unique field (Entity.unique) has this value. */
  getByUnique(value: string): Promise<T | undefined>;
  /** The records of a scope whose `field` is in [from, to); Redis needs an index scored by that field. */
  listBetween(scope: Pick<T, S>, field: NumberField<T>, from: number, to: number): Promise<T[]>;
  /**
   * Inserts or replaces `records` and the records of `alongside`, all or nothing. Where the entity has a
   * unique field, a value held by a record outside the batch is a ConflictError and nothing is written.
   * A batch holds no key and no unique value twice (batches.ts).
   */
  put<U extends object>(records: readonly T[], alongside?: Batch<U>): Promise<void>;
}

/** Records appended and listed, never changed (LogEntity). */
export interface Log<T extends object, S extends Field<T>> {
  append(record: T): Promise<void>;
  /** As appended, then in the entity's order. */
  list(scope: Pick<T, S>): Promise<T[]>;
  /** Removes every record of a scope (a deleted recording's segments). */
  clear(scope: Pick<T, S>): Promise<void>;
}

/** Checked records of one entity, written together with another's (a roster import's schools). */
export interface Batch<T extends object> {
  readonly entity: Entity<T, Field<T>, Field<T>>;
  readonly records: readonly T[];
}

/** Presences, written by hand in each backend; the ttl is checked too. */
export type PresenceTable = Pick<AttendanceStore, 'putPresence' | 'removePresence' | 'listPresence'>;
