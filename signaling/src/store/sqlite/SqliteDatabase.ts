import { DatabaseSync } from 'node:sqlite';
import type { SQLInputValue, SQLOutputValue, StatementSync } from 'node:sqlite';
import { migrate } from './schema.ts';

export type Row = Record<string, SQLOutputValue>;

/**
 * The one SQLite file (node:sqlite) of a SqliteStore. Every call runs synchronously, so no call is
 * interleaved with another one of this process; writes of several rows are one `BEGIN IMMEDIATE`
 * transaction, which also orders them against other processes that open the same file.
 */
export class SqliteDatabase {
  readonly #db: DatabaseSync;
  /** Each statement is prepared once, the first time its SQL runs. */
  readonly #statements = new Map<string, StatementSync>();

  /** Opens (creating it if needed) the file and brings its schema up to date. */
  static open(file: string): SqliteDatabase {
    const db = new DatabaseSync(file);
    try {
      // Wait for another process's write lock instead of failing at once.
      db.exec('PRAGMA busy_timeout = 5000');
      // WAL with synchronous=NORMAL: a commit is appended to the WAL file before the call returns, but
      // fsync happens only at checkpoints. A committed write therefore survives the process being killed
      // (kill -9, a crash: the OS still holds the file's pages); only a power loss or OS crash can lose the
      // last commits, and never corrupts the database.
      const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.['journal_mode'];
      if (mode !== 'wal') throw new Error(`SQLite refused WAL journal mode (got ${String(mode)})`);
      db.exec('PRAGMA synchronous = NORMAL');
      migrate(db);
      return new SqliteDatabase(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Answers how many rows changed. */
  run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.#statement(sql).run(...params).changes);
  }

  get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.#statement(sql).get(...params);
  }

  all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.#statement(sql).all(...params);
  }

  /** Runs `write` in one write transaction, rolled back if it throws. */
  transaction<R>(write: () => R): R {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = write();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Runs `read` in one read transaction: it sees no write of another process that commits meanwhile. */
  snapshot<R>(read: () => R): R {
    this.#db.exec('BEGIN');
    try {
      return read();
    } finally {
      this.#db.exec('COMMIT');
    }
  }

  close(): void {
    this.#db.close();
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
