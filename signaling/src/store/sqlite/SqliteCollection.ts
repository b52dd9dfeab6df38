import type { Batch, Collection } from '../Backend.ts';
import type { Entity, Field, NumberField } from '../entity.ts';
import { ConflictError } from '../Store.ts';
import type { SqliteDatabase } from './SqliteDatabase.ts';
import { columnOf, equal, paramsOf, TableRows, where } from './TableRows.ts';

/** An Entity or a MemberEntity: in SQLite both are a table, whatever their place in Redis. */
type Keyed<T extends object, S extends Field<T>, I extends Field<T>> = Omit<Entity<T, S, I>, 'redis'>;

/**
 * Any keyed entity (Entity, MemberEntity) in its table: a row per record, the key (scope, then id) its
 * primary key. SQL is built once from the declaration; statements are prepared on first use.
 */
export class SqliteCollection<T extends object, S extends Field<T>, I extends Field<T>> implements Collection<
  T,
  S,
  I
> {
  readonly #db: SqliteDatabase;
  readonly #entity: Keyed<T, S, I>;
  readonly #rows: TableRows<T>;
  readonly #key: readonly (S | I)[];
  readonly #sql: { get: string; upsert: string; insert: string; delete: string };

  constructor(db: SqliteDatabase, entity: Keyed<T, S, I>) {
    this.#db = db;
    this.#entity = entity;
    this.#rows = new TableRows(entity);
    this.#key = [...entity.scope, entity.id];
    const { table, columns, select, insert } = this.#rows;
    const key = this.#key.map(columnOf);
    const others = columns.filter((column) => !key.includes(column));
    const update = others.map((column) => `${column} = excluded.${column}`).join(', ');
    this.#sql = {
      get: `${select}${where(equal(this.#key))}`,
      // A row that is all key has nothing to replace.
      upsert: `${insert} ON CONFLICT ${others.length === 0 ? 'DO NOTHING' : `(${key.join(', ')}) DO UPDATE SET ${update}`}`,
      insert: `${insert} ON CONFLICT DO NOTHING`,
      delete: `DELETE FROM ${table}${where(equal(this.#key))}`,
    };
  }

  async get(key: Pick<T, S | I>): Promise<T | undefined> {
    const row = this.#db.get(this.#sql.get, ...paramsOf(this.#key, key));
    return row && this.#rows.decode(row);
  }

  async getByUnique(value: string): Promise<T | undefined> {
    const { unique, name } = this.#entity;
    if (unique === undefined) throw new Error(`${name}s have no unique field`);
    const row = this.#db.get(`${this.#rows.select}${where(equal([unique]))}`, value);
    return row && this.#rows.decode(row);
  }

  async list(scope: Pick<T, S>): Promise<T[]> {
    const { scope: fields } = this.#entity;
    return this.#rows.decodeAll(
      this.#db.all(`${this.#rows.select}${where(equal(fields))}`, ...paramsOf(fields, scope)),
    );
  }

  async listBetween(scope: Pick<T, S>, field: NumberField<T>, from: number, to: number): Promise<T[]> {
    const { scope: fields } = this.#entity;
    const column = columnOf(field);
    const sql = `${this.#rows.select}${where([...equal(fields), `${column} >= ?`, `${column} < ?`])}`;
    return this.#rows.decodeAll(this.#db.all(sql, ...paramsOf(fields, scope), from, to));
  }

  async put<U extends object>(records: readonly T[], alongside?: Batch<U>): Promise<void> {
    this.#db.transaction(() => {
      this.#write(records);
      if (alongside !== undefined) new SqliteCollection(this.#db, alongside.entity).#write(alongside.records);
    });
  }

  async insert(record: T): Promise<boolean> {
    return this.#db.run(this.#sql.insert, ...this.#rows.values(record)) > 0;
  }

  async delete(key: Pick<T, S | I>): Promise<boolean> {
    return this.#db.run(this.#sql.delete, ...paramsOf(this.#key, key)) > 0;
  }

  /** Inside a transaction: where a value must be unique, checks every record first, so a conflict writes nothing. */
  #write(records: readonly T[]): void {
    const { expiresAt, unique } = this.#entity;
    // Rows do not expire by themselves: each write sweeps the expired ones out.
    if (expiresAt !== undefined) {
      this.#db.run(`DELETE FROM ${this.#rows.table} WHERE ${columnOf(expiresAt)} <= ?`, Date.now());
    }
    if (unique !== undefined) {
      this.#checkUnique(unique, records);
      // Delete, then insert: no UNIQUE clash midway when records of the batch swap their values.
      for (const record of records) this.#db.run(this.#sql.delete, ...paramsOf(this.#key, record));
    }
    for (const record of records) this.#db.run(this.#sql.upsert, ...this.#rows.values(record));
  }

  /** A value held by a record of the batch is given up by it (values are unique within a batch). */
  #checkUnique(unique: Field<T>, records: readonly T[]): void {
    const { id, name } = this.#entity;
    const sql = `SELECT ${columnOf(id)} AS id FROM ${this.#rows.table}${where(equal([unique]))}`;
    const batch = new Set<unknown>(records.map((record) => record[id]));
    for (const record of records) {
      const owner = this.#db.get(sql, ...paramsOf([unique], record))?.['id'];
      if (owner !== undefined && owner !== record[id] && !batch.has(owner)) {
        throw new ConflictError(`${name} ${unique} ${String(record[unique])} belongs to ${String(owner)}`);
      }
    }
  }
}
