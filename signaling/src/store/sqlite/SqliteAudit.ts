import type { AuditPageRecords, AuditRange, AuditStore } from '../AuditStore.ts';
import { auditEntries } from '../entities/audit.ts';
import type { AuditEntry } from '../entities/audit.ts';
import { CorruptRecordError, decodeJsonRecord, InvalidRecordError } from '../records.ts';
import type { SqliteDatabase } from './SqliteDatabase.ts';

/**
 * The audit log in SQLite: a row per entry, numbered by `seq` as appended; pages newest first by
 * (at, seq), through the (at, seq) and (kind, at, seq) indexes. A cursor is `<at>:<seq>` of the last
 * entry of the page before.
 */
export class SqliteAudit implements AuditStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.#db.run(
      'INSERT INTO audit_log (id, at, kind, data) VALUES (?, ?, ?, ?)',
      entry.id,
      entry.at,
      entry.kind,
      JSON.stringify(entry),
    );
  }

  async listAudit(range: AuditRange): Promise<AuditPageRecords> {
    const conditions = ['at >= ?', 'at < ?'];
    const params: (string | number)[] = [range.from, range.to];
    if (range.kind !== undefined) {
      conditions.push('kind = ?');
      params.push(range.kind);
    }
    if (range.cursor !== undefined) {
      const { at, seq } = parseCursor(range.cursor);
      conditions.push('(at < ? OR (at = ? AND seq < ?))');
      params.push(at, at, seq);
    }
    const rows = this.#db.all(
      `SELECT seq, at, data FROM audit_log WHERE ${conditions.join(' AND ')}
       ORDER BY at DESC, seq DESC LIMIT ?`,
      ...params,
      range.limit + 1,
    );
    const page = rows.slice(0, range.limit);
    const entries = page.map((row) => {
      const where = `audit_log row ${String(row['seq'])}`;
      if (typeof row['data'] !== 'string') throw new CorruptRecordError(`${where}: data is not text`);
      return decodeJsonRecord(auditEntries.schema, row['data'], where);
    });
    const last = page.at(-1);
    const next = rows.length > range.limit && last ? `${String(last['at'])}:${String(last['seq'])}` : null;
    return { entries, next };
  }
}

function parseCursor(cursor: string): { at: number; seq: number } {
  const match = /^(\d+):(\d+)$/.exec(cursor);
  if (!match) throw new InvalidRecordError(`invalid audit cursor ${JSON.stringify(cursor)}`);
  return { at: Number(match[1]), seq: Number(match[2]) };
}
