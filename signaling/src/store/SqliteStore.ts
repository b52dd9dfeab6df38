import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from './Backend.ts';
import { CollectionStore } from './CollectionStore.ts';
import type { Entity, Field, LogEntity, MemberEntity } from './entity.ts';
import { SqliteAttempts } from './sqlite/SqliteAttempts.ts';
import { SqliteAudit } from './sqlite/SqliteAudit.ts';
import { SqliteBoard } from './sqlite/SqliteBoard.ts';
import { SqliteCollection } from './sqlite/SqliteCollection.ts';
import { SqliteDatabase } from './sqlite/SqliteDatabase.ts';
import { SqliteLog } from './sqlite/SqliteLog.ts';
import { SqlitePresence } from './sqlite/SqlitePresence.ts';

/** The file of the database inside the data directory. */
export const SQLITE_FILE = 'cloudschool.db';

/** Every entity in its table of one SQLite file (sqlite/schema.ts). */
class SqliteBackend implements Backend {
  readonly kind = 'sqlite';
  readonly presence: SqlitePresence;
  readonly board: SqliteBoard;
  readonly attempts: SqliteAttempts;
  readonly audit: SqliteAudit;
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.presence = new SqlitePresence(db);
    this.board = new SqliteBoard(db);
    this.attempts = new SqliteAttempts(db);
    this.audit = new SqliteAudit(db);
  }

  collection<T extends object, S extends Field<T>, I extends Field<T>>(
    entity: Entity<T, S, I>,
  ): SqliteCollection<T, S, I> {
    return new SqliteCollection(this.#db, entity);
  }

  /** A table like any other: only Redis keeps such records differently. */
  members<T extends object, S extends Field<T>, I extends Field<T>>(
    entity: MemberEntity<T, S, I>,
  ): SqliteCollection<T, S, I> {
    return new SqliteCollection(this.#db, entity);
  }

  log<T extends object, S extends Field<T>>(entity: LogEntity<T, S>): SqliteLog<T, S> {
    return new SqliteLog(this.#db, entity);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}

/** The embedded store: one SQLite file (node:sqlite), for a single machine. */
export class SqliteStore extends CollectionStore {
  /** Opens (creating it if needed) `<dataDir>/cloudschool.db` and brings its schema up to date. */
  static async open(dataDir: string): Promise<SqliteStore> {
    // The database holds password hashes and secrets: only this user may read the directory.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
    return new SqliteStore(new SqliteBackend(SqliteDatabase.open(join(dataDir, SQLITE_FILE))));
  }
}
