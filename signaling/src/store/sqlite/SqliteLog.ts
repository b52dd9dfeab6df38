import type { Log } from '../Backend.ts';
import type { Field, LogEntity } from '../entity.ts';
import type { SqliteDatabase } from './SqliteDatabase.ts';
import { equal, paramsOf, TableRows, where } from './TableRows.ts';

/** Any LogEntity in its table: a row per record, numbered by an INTEGER PRIMARY KEY AUTOINCREMENT `seq`. */
export class SqliteLog<T extends object, S extends Field<T>> implements Log<T, S> {
  readonly #db: SqliteDatabase;
  readonly #entity: LogEntity<T, S>;
  readonly #rows: TableRows<T>;

  constructor(db: SqliteDatabase, entity: LogEntity<T, S>) {
    this.#db = db;
    this.#entity = entity;
    this.#rows = new TableRows(entity);
  }

  async append(record: T): Promise<void> {
    this.#db.run(this.#rows.insert, ...this.#rows.values(record));
  }

  async list(scope: Pick<T, S>): Promise<T[]> {
    const { scope: fields } = this.#entity;
    const sql = `${this.#rows.select}${where(equal(fields))} ORDER BY seq`;
    return this.#rows.decodeAll(this.#db.all(sql, ...paramsOf(fields, scope)));
  }

  async clear(scope: Pick<T, S>): Promise<void> {
    const { scope: fields, sqlite } = this.#entity;
    this.#db.run(`DELETE FROM ${sqlite.table}${where(equal(fields))}`, ...paramsOf(fields, scope));
  }
}
