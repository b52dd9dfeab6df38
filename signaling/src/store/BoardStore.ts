import type { BoardOp, BoardState } from '@cloudschool/board';

/** A board as stored: the latest snapshot (none before the first compaction) and every operation after it. */
export interface StoredBoard {
  snapshot: BoardState | null;
  /** Ascending, consecutive, each after the snapshot's seq. */
  ops: BoardOp[];
}

/**
 * The whiteboard of a lesson: an append-only operation log, numbered by the store (1, 2, 3… per lesson,
 * no gaps, never reused), and a snapshot that compaction writes while it moves the operations the snapshot
 * covers from the log to the board's history (kept for replay). Both stores implement it and pass
 * signaling/test/store/boardstore.contract.test.ts.
 */
export interface BoardStore {
  /**
   * Appends an operation and answers its seq: one more than the lesson's last (1 for the first), also
   * after a compaction dropped every operation. Atomic: two appends never get the same seq.
   */
  appendBoardOp(lessonId: string, op: Omit<BoardOp, 'seq'>): Promise<number>;
  /**
   * The operations with a seq above `afterSeq` still in the log, ascending. Operations up to the
   * snapshot's seq are gone after a compaction: a reader that is that far behind needs the snapshot.
   */
  readBoardOps(lessonId: string, afterSeq: number): Promise<BoardOp[]>;
  /** The snapshot and the operations after it, read at one instant (no compaction in between). */
  loadBoard(lessonId: string): Promise<StoredBoard>;
  /**
   * Every operation the lesson's board ever had with a seq above `afterSeq`, ascending, at most `limit`:
   * compaction moves what it drops from the log into the board's history, never deleted (a replay redraws
   * the board from it). Operations compacted before the history existed (schema 9) are gone.
   */
  readBoardHistory(lessonId: string, afterSeq: number, limit: number): Promise<BoardOp[]>;
  /**
   * Stores `snapshot` (the board up to snapshot.seq, which must not be above the last seq) and drops the
   * operations it covers, atomically. A snapshot older than the stored one changes nothing.
   */
  compactBoard(lessonId: string, snapshot: BoardState): Promise<void>;
}
