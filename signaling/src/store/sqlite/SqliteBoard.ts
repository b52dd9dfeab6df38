import type { BoardOp, BoardState } from '@cloudschool/board';
import type { BoardStore, StoredBoard } from '../BoardStore.ts';
import { boardSnapshot, decodeBoardOp } from '../entities/board.ts';
import { CorruptRecordError, decodeJsonRecord, InvalidRecordError } from '../records.ts';
import type { Row, SqliteDatabase } from './SqliteDatabase.ts';

/** The last seq of a lesson's board: the highest of the log and the snapshot (the log may be empty after one). */
const HEAD = `SELECT MAX(
  COALESCE((SELECT MAX(seq) FROM board_ops WHERE lesson_id = ?1), 0),
  COALESCE((SELECT seq FROM board_snapshots WHERE lesson_id = ?1), 0)
) AS head`;

/**
 * The whiteboard in SQLite: each lesson's operation log in board_ops, keyed by (lesson, seq), its
 * latest snapshot in board_snapshots, and the operations compaction took out of the log in board_history. Operations and snapshots come checked (CollectionStore).
 */
export class SqliteBoard implements BoardStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async appendBoardOp(lessonId: string, op: Omit<BoardOp, 'seq'>): Promise<number> {
    const json = JSON.stringify(op);
    return this.#db.transaction(() => {
      const seq = this.#head(lessonId) + 1;
      this.#db.run('INSERT INTO board_ops (lesson_id, seq, data) VALUES (?, ?, ?)', lessonId, seq, json);
      return seq;
    });
  }

  async readBoardOps(lessonId: string, afterSeq: number): Promise<BoardOp[]> {
    return this.#ops(lessonId, afterSeq);
  }

  async loadBoard(lessonId: string): Promise<StoredBoard> {
    // One read transaction: another process's compaction is one transaction too, so this sees the
    // snapshot and the log both before it or both after it.
    return this.#db.snapshot(() => {
      const snapshot = this.#snapshot(lessonId);
      return { snapshot, ops: this.#ops(lessonId, snapshot?.seq ?? 0) };
    });
  }

  async readBoardHistory(lessonId: string, afterSeq: number, limit: number): Promise<BoardOp[]> {
    // One read transaction: an operation is in the history or in the log, never both nor neither.
    return this.#db.snapshot(() =>
      this.#decode(
        lessonId,
        this.#db.all(
          `SELECT seq, data FROM board_history WHERE lesson_id = ?1 AND seq > ?2
           UNION ALL SELECT seq, data FROM board_ops WHERE lesson_id = ?1 AND seq > ?2
           ORDER BY seq LIMIT ?3`,
          lessonId,
          afterSeq,
          limit,
        ),
      ),
    );
  }

  async compactBoard(lessonId: string, snapshot: BoardState): Promise<void> {
    const json = JSON.stringify(snapshot);
    this.#db.transaction(() => {
      const head = this.#head(lessonId);
      if (snapshot.seq > head) {
        throw new InvalidRecordError(`board snapshot at seq ${snapshot.seq} is beyond the log (${head})`);
      }
      const current = this.#db.get('SELECT seq FROM board_snapshots WHERE lesson_id = ?', lessonId)?.['seq'];
      if (typeof current === 'number' && current >= snapshot.seq) return;
      this.#db.run(
        `INSERT INTO board_snapshots (lesson_id, seq, data) VALUES (?, ?, ?)
         ON CONFLICT (lesson_id) DO UPDATE SET seq = excluded.seq, data = excluded.data`,
        lessonId,
        snapshot.seq,
        json,
      );
      this.#db.run(
        `INSERT OR IGNORE INTO board_history (lesson_id, seq, data)
         SELECT lesson_id, seq, data FROM board_ops WHERE lesson_id = ? AND seq <= ?`,
        lessonId,
        snapshot.seq,
      );
      this.#db.run('DELETE FROM board_ops WHERE lesson_id = ? AND seq <= ?', lessonId, snapshot.seq);
    });
  }

  #snapshot(lessonId: string): BoardState | null {
    const row = this.#db.get('SELECT data FROM board_snapshots WHERE lesson_id = ?', lessonId);
    if (row === undefined) return null;
    const where = `board_snapshots row ${lessonId}`;
    const data = row['data'];
    if (typeof data !== 'string') throw new CorruptRecordError(`${where}: data is not text`);
    return decodeJsonRecord(boardSnapshot, data, where);
  }

  #head(lessonId: string): number {
    const head = this.#db.get(HEAD, lessonId)?.['head'];
    return typeof head === 'number' ? head : 0;
  }

  #ops(lessonId: string, afterSeq: number): BoardOp[] {
    const rows = this.#db.all(
      'SELECT seq, data FROM board_ops WHERE lesson_id = ? AND seq > ? ORDER BY seq',
      lessonId,
      afterSeq,
    );
    return this.#decode(lessonId, rows);
  }

  #decode(lessonId: string, rows: readonly Row[]): BoardOp[] {
    return rows.map((row) => {
      const { seq, data } = row;
      const where = `board_ops row ${lessonId}/${String(seq)}`;
      if (typeof seq !== 'number' || typeof data !== 'string')
        throw new CorruptRecordError(`${where}: not an operation`);
      return decodeBoardOp(seq, data, where);
    });
  }
}
