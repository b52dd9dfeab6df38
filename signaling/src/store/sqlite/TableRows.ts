import type { SQLInputValue } from 'node:sqlite';
import type { z } from 'zod';
import { decodeValue, encodeValue } from '../entity.ts';
import type { OrderField, SqliteLayout } from '../entity.ts';
import { sortBy } from '../order.ts';
import { CorruptRecordError, decodeRecord } from '../records.ts';
import type { Row } from './SqliteDatabase.ts';

/** The column of a field: its name in snake_case (lessonId → lesson_id). */
export function columnOf(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** ` WHERE a AND b…`, or nothing for no condition. */
export function where(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
}

/** `column = ?` for each field. */
export function equal(fields: readonly string[]): string[] {
  return fields.map((field) => `${columnOf(field)} = ?`);
}

/** The parameters of a key or scope: its fields' values. */
export function paramsOf<K extends string>(
  fields: readonly K[],
  key: Readonly<Record<K, unknown>>,
): SQLInputValue[] {
  return fields.map((field) => sqlValue(key[field], field));
}

function sqlValue(value: unknown, field: string): SQLInputValue {
  if (typeof value === 'string' || typeof value === 'number' || value === null) return value;
  throw new Error(`field ${field} is declared as a column but holds a ${typeof value}`);
}

/** What TableRows needs of an entity. */
interface Described<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
  readonly order?: readonly OrderField<T>[];
  readonly sqlite: SqliteLayout<T>;
}

/** How the records of an entity are rows of its table (SqliteLayout): written, and decoded back. */
export class TableRows<T extends object> {
  readonly table: string;
  /** The columns a row is written and read with: one per declared field, then `data` if declared. */
  readonly columns: readonly string[];
  /** `SELECT <columns> FROM <table>`, for a WHERE to follow. */
  readonly select: string;
  /** `INSERT INTO <table> (<columns>) VALUES (…)`, for values(record). */
  readonly insert: string;
  readonly #entity: Described<T>;

  constructor(entity: Described<T>) {
    this.#entity = entity;
    this.table = entity.sqlite.table;
    const columns = entity.sqlite.columns.map(columnOf);
    this.columns = entity.sqlite.data === undefined ? columns : [...columns, 'data'];
    this.select = `SELECT ${this.columns.join(', ')} FROM ${this.table}`;
    this.insert = `INSERT INTO ${this.table} (${this.columns.join(', ')}) VALUES (${this.columns.map(() => '?').join(', ')})`;
  }

  /** The values of `columns` for a record. */
  values(record: T): SQLInputValue[] {
    const { columns, data } = this.#entity.sqlite;
    const values = paramsOf(columns, record);
    return data === undefined ? values : [...values, encodeValue(data, record)];
  }

  decode(row: Row): T {
    const { columns, data } = this.#entity.sqlite;
    const fields = Object.fromEntries(columns.map((field) => [field, row[columnOf(field)]]));
    const where = `${this.table} row ${JSON.stringify(fields)}`;
    if (data === undefined) return decodeRecord(this.#entity.schema, fields, where);
    const text = row['data'];
    if (typeof text !== 'string') throw new CorruptRecordError(`${where}: data is not text`);
    return decodeRecord(this.#entity.schema, decodeValue(data, text, fields, where), where);
  }

  /** Decodes rows read in stored order into the entity's order. */
  decodeAll(rows: readonly Row[]): T[] {
    return sortBy(
      rows.map((row) => this.decode(row)),
      this.#entity.order,
    );
  }
}
