import type { PresenceTable } from '../Backend.ts';
import { presence } from '../entities/lessons.ts';
import type { Presence } from '../entities/lessons.ts';
import type { SqliteDatabase } from './SqliteDatabase.ts';
import { TableRows } from './TableRows.ts';

/** The presence table: a row per connection with the presence's columns, and when it expires. */
const rows = new TableRows({
  ...presence,
  sqlite: { table: 'presence', columns: ['lessonId', 'connectionId', 'classroomId', 'nodeId', 'lastSeen'] },
});

/** The columns of `rows`, then expires_at. */
const UPSERT = `INSERT INTO presence (lesson_id, connection_id, classroom_id, node_id, last_seen, expires_at)
  VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (lesson_id, connection_id) DO UPDATE SET classroom_id = excluded.classroom_id,
    node_id = excluded.node_id, last_seen = excluded.last_seen, expires_at = excluded.expires_at`;

/** Presences in SQLite: a row expires at lastSeen + ttl; a lesson's expired rows go at its next heartbeat. */
export class SqlitePresence implements PresenceTable {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async putPresence(record: Presence, ttlMs: number): Promise<void> {
    this.#db.transaction(() => {
      // The lesson's presences that had expired by this heartbeat's time are of no more use.
      this.#db.run(
        'DELETE FROM presence WHERE lesson_id = ? AND expires_at <= ?',
        record.lessonId,
        record.lastSeen,
      );
      this.#db.run(UPSERT, ...rows.values(record), record.lastSeen + ttlMs);
    });
  }

  async removePresence(lessonId: string, connectionId: string): Promise<void> {
    this.#db.run('DELETE FROM presence WHERE lesson_id = ? AND connection_id = ?', lessonId, connectionId);
  }

  async listPresence(lessonId: string, now: number): Promise<Presence[]> {
    return rows.decodeAll(
      this.#db.all(`${rows.select} WHERE lesson_id = ? AND expires_at > ?`, lessonId, now),
    );
  }
}
