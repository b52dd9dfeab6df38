import type { z } from 'zod';
import { parseStoredJson } from './records.ts';

/**
 * The kinds of declaration a stored entity is made of (the declarations themselves are in entities/):
 * its schema, key, order and rules, and where it lives in SQLite and in Redis. The generic collections of
 * both stores (sqlite/, redis/) read and write any entity from its declaration alone.
 */

/** A property of T. */
export type Field<T> = keyof T & string;
/** A property of T that holds a number (a time). */
export type NumberField<T> = { [K in Field<T>]-?: T[K] extends number ? K : never }[Field<T>];
/** A property of T that holds a string. */
export type StringField<T> = { [K in Field<T>]-?: T[K] extends string ? K : never }[Field<T>];
/** A property of T a list can be ordered by. */
export type OrderField<T> = { [K in Field<T>]-?: T[K] extends string | number ? K : never }[Field<T>];

/**
 * How a record is written as one stored text (a SQLite `data` column, a Redis string or hash field):
 * `'record'`, its JSON; `{ json: f }`, the JSON of its field f alone; `{ text: f }`, its string field f as
 * it is. With one field stored, the record's other fields are those of its key (a stage: its lesson and
 * its members).
 */
export type Value<T> = 'record' | { readonly json: Field<T> } | { readonly text: StringField<T> };

/** A table with a column for each field named (the field in snake_case), and a `data` column if `data` is set. */
export interface SqliteLayout<T> {
  readonly table: string;
  readonly columns: readonly Field<T>[];
  readonly data?: Value<T>;
}

interface Declared<T extends object, S extends Field<T>> {
  /** What a record is called in errors ("invalid quiz answer"). */
  readonly name: string;
  readonly schema: z.ZodType<T>;
  /** A list holds the records that share these fields (e.g. a lesson's); [] for one list of all. */
  readonly scope: readonly S[];
  /**
   * The order of a list, by each field in turn (order.ts), whatever SQLite's collation and Redis's member
   * order say. Without it a list keeps the stored order (a log's: as appended).
   */
  readonly order?: readonly OrderField<T>[];
  readonly sqlite: SqliteLayout<T>;
}

/** Records found by a key: the fields of the scope and `id`, unique within the scope. */
export interface Entity<T extends object, S extends Field<T>, I extends Field<T>> extends Declared<T, S> {
  readonly id: I;
  /** A field no two records share (a classroom's code); only where the scope is []. */
  readonly unique?: StringField<T>;
  /**
   * When a record stops existing (epoch ms): Redis drops its key then, SQLite sweeps expired rows out at
   * each write, and CollectionStore hands out none that has expired.
   */
  readonly expiresAt?: NumberField<T>;
  readonly redis: RedisStrings<T> | RedisHash<T>;
}

/**
 * A string per record at `<p>:<string>:<scope…>:<id>`, expiring at `expiresAt` if the entity has one.
 * `index` lists a scope's ids at `<p>:<index.key>:<scope…>`: a set, or a sorted set scored by `index.score`.
 * `unique` names the keys `<p>:<unique>:<value>` that each hold the id of the record with that value.
 */
export interface RedisStrings<T> {
  readonly string: string;
  readonly value?: Value<T>;
  readonly index?: { readonly key: string; readonly score?: NumberField<T> };
  readonly unique?: string;
}

/** A hash per scope at `<p>:<hash>:<scope…>`, a field per record: its id. */
export interface RedisHash<T> {
  readonly hash: string;
  readonly value?: Value<T>;
}

/** Records that are nothing but their key, and maybe a number: a vote, a raised hand. */
export interface MemberEntity<T extends object, S extends Field<T>, I extends Field<T>> extends Declared<
  T,
  S
> {
  readonly id: I;
  /** A set of ids per scope at `<p>:<set>:<scope…>`, or a sorted set scored by `score`. */
  readonly redis: { readonly set: string } | { readonly sortedSet: string; readonly score: NumberField<T> };
}

/**
 * Records appended to a list per scope and never changed (attendance, backchannel messages). In SQLite an
 * INTEGER `seq` column beside the declared ones numbers them; in Redis a list per scope, `<p>:<list>:<scope…>`.
 */
export interface LogEntity<T extends object, S extends Field<T>> extends Declared<T, S> {
  readonly redis: { readonly list: string };
}

// The declaring functions only give TypeScript the literal field names to check the declaration with.

export function entity<T extends object, const S extends Field<T>, const I extends Field<T>>(
  declared: Entity<T, S, I>,
): Entity<T, S, I> {
  return declared;
}

export function memberEntity<T extends object, const S extends Field<T>, const I extends Field<T>>(
  declared: MemberEntity<T, S, I>,
): MemberEntity<T, S, I> {
  return declared;
}

export function logEntity<T extends object, const S extends Field<T>>(
  declared: LogEntity<T, S>,
): LogEntity<T, S> {
  return declared;
}

/** The values of `fields` in a key or a scope, as stored: strings, in declared order. */
export function partsOf<K extends string>(fields: readonly K[], key: Readonly<Record<K, unknown>>): string[] {
  return fields.map((field) => String(key[field]));
}

/** The fields of a key or scope from their stored values: the part of a record its place in a store says. */
export function fieldsOf(fields: readonly string[], parts: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.map((field, index) => [field, parts[index]]));
}

export function encodeValue<T extends object>(value: Value<T>, record: T): string {
  if (value === 'record') return JSON.stringify(record);
  if ('json' in value) return JSON.stringify(record[value.json]);
  return String(record[value.text]);
}

/** The record a stored text holds, to be decoded with the schema; `known`: its fields the text does not hold. */
export function decodeValue<T>(
  value: Value<T>,
  text: string,
  known: Record<string, unknown>,
  where: string,
): unknown {
  if (value === 'record') return parseStoredJson(text, where);
  if ('json' in value) return { ...known, [value.json]: parseStoredJson(text, where) };
  return { ...known, [value.text]: text };
}
