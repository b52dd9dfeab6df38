import { EventEmitter } from 'node:events';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { applyOp, applyOps, initialBoard } from '@cloudschool/board';
import { serial } from '@cloudschool/protocol';
import type { BoardAuthor, BoardOp, BoardOpBody, BoardState, BoardSyncResult } from '@cloudschool/board';
import type { BoardStore } from '../store/BoardStore.ts';
import { checkWrite } from './rules.ts';

export interface BoardEvents {
  /**
   * An operation was stored and applied: every page of the lesson on this node must get it. `here`: this
   * node sequenced it (the other nodes running the lesson must be told); else another node did.
   */
  op: [op: BoardOp, here: boolean];
  close: [];
}

export interface BoardOptions {
  /** Compact the log into a snapshot once this many operations follow the stored snapshot (default 200). */
  compactEvery?: number;
}

const DEFAULT_COMPACT_EVERY = 200;

/**
 * The whiteboard of a lesson running on this node: its state (the reducer over the log), the stored
 * snapshot and the operations after it, and the one place where operations get their seq.
 *
 * Writes are serialized: check against the current state → append to the store (which numbers it) →
 * apply → emit 'op'. Apply and emit happen in one tick, so a `sync()` answer and the pushes never
 * disagree: every seq up to its headSeq was pushed before it, every later one is pushed after it.
 *
 * Every node serving pages of the lesson has the board: writes are sequenced by the store,
 * and the other nodes apply them as they are told (`applyRemote`). If the store's seq is not the next one
 * (another node wrote in between), the board catches up from the log before it goes on.
 */
export class Board extends EventEmitter<BoardEvents> {
  readonly lessonId: string;
  readonly #store: BoardStore;
  readonly #log: Logger;
  readonly #compactEvery: number;
  #state: BoardState;
  /** The stored snapshot (the empty board before the first compaction)… */
  #snapshot: BoardState;
  /** …and every operation after it, in seq order. */
  #tail: BoardOp[];
  readonly #queue = serial();
  #compacting: Promise<void> | undefined;
  #closed = false;

  /** The board of a lesson as stored: the snapshot and the operations after it. */
  static async load(
    lessonId: string,
    store: BoardStore,
    log: Logger,
    options: BoardOptions = {},
  ): Promise<Board> {
    const stored = await store.loadBoard(lessonId);
    return new Board(lessonId, store, log, options, stored.snapshot ?? initialBoard(), stored.ops);
  }

  private constructor(
    lessonId: string,
    store: BoardStore,
    log: Logger,
    options: BoardOptions,
    snapshot: BoardState,
    tail: BoardOp[],
  ) {
    super();
    this.lessonId = lessonId;
    this.#store = store;
    this.#log = log;
    this.#compactEvery = Math.max(1, options.compactEvery ?? DEFAULT_COMPACT_EVERY);
    this.#snapshot = snapshot;
    this.#tail = tail;
    this.#state = applyOps(snapshot, tail);
  }

  get state(): BoardState {
    return this.#state;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The seq of the stored snapshot: operations up to it are no longer in the log. */
  get snapshotSeq(): number {
    return this.#snapshot.seq;
  }

  /**
   * What a page needs to catch up from `afterSeq` (its last applied seq): the operations after it, or, if
   * it is unknown, older than the snapshot or newer than the head (the page saw a log that was lost), the
   * snapshot and every operation after it.
   */
  sync(afterSeq?: number): BoardSyncResult {
    const headSeq = this.#state.seq;
    const base = this.#snapshot.seq;
    if (afterSeq !== undefined && afterSeq >= base && afterSeq <= headSeq) {
      return { headSeq, snapshot: null, ops: this.#tail.slice(afterSeq - base) };
    }
    return { headSeq, snapshot: this.#snapshot, ops: [...this.#tail] };
  }

  /** Checks a write of the host or a pen holder against the board, then sequences it. */
  write(by: BoardAuthor, op: BoardOpBody): Promise<BoardOp> {
    return this.#serialize(() => {
      checkWrite(this.#state, by, op);
      return this.#append(by, op);
    });
  }

  /** Gives the pen to a classroom (which must be on stage); null if it holds it already. */
  grantPen(classroomId: string, onStage: (classroomId: string) => boolean): Promise<BoardOp | null> {
    return this.#serialize(async () => {
      if (!onStage(classroomId)) throw new AppError('conflict', 'only an on-stage classroom can get the pen');
      if (this.#state.pens.includes(classroomId)) return null;
      return this.#append('host', { type: 'pen', classroomId, on: true });
    });
  }

  /** Takes the pen back from one classroom, or from all; answers the last operation (null: nobody had it). */
  revokePen(by: 'host' | 'server', classroomId?: string): Promise<BoardOp | null> {
    return this.#serialize(async () => {
      const holders = this.#state.pens.filter((c) => classroomId === undefined || c === classroomId);
      let last: BoardOp | null = null;
      for (const holder of holders)
        last = await this.#append(by, { type: 'pen', classroomId: holder, on: false });
      return last;
    });
  }

  /** Takes the pen from every holder that is no longer on stage. */
  async reconcilePens(onStage: (classroomId: string) => boolean): Promise<void> {
    if (this.#closed || this.#state.pens.every(onStage)) return;
    await this.#serialize(async () => {
      for (const holder of this.#state.pens.filter((c) => !onStage(c))) {
        await this.#append('server', { type: 'pen', classroomId: holder, on: false });
      }
    });
  }

  /** An operation another node sequenced (and stored): applied in seq order, a gap filled from the log. */
  applyRemote(op: BoardOp): Promise<void> {
    // A closing board has stored its last snapshot: the log has the rest for whoever loads it next.
    if (this.#closed) return Promise.resolve();
    return this.#serialize(async () => {
      if (op.seq <= this.#state.seq) return;
      if (op.seq === this.#state.seq + 1) this.#apply(op, false);
      else await this.#catchUp();
    });
  }

  /** Applies what the log has beyond this board's head (operations another node sequenced unseen). */
  catchUp(): Promise<void> {
    return this.#serialize(() => this.#catchUp());
  }

  /** Waits for pending writes, stores a final snapshot (the next load is then quick), emits 'close'. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue(async () => undefined);
    await this.#compacting;
    if (this.#tail.length > 0) await this.#compact();
    this.emit('close');
  }

  // ---------------------------------------------------------------- internals

  /** Runs `work` after every change queued before it; refused once the board is closing. */
  #serialize<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new AppError('lesson_closed', 'this board is closed'));
    return this.#queue(work);
  }

  async #append(by: BoardAuthor, body: BoardOpBody): Promise<BoardOp> {
    const at = Date.now();
    const seq = await this.#store.appendBoardOp(this.lessonId, { at, by, op: body });
    const op: BoardOp = { seq, at, by, op: body };
    if (seq === this.#state.seq + 1) {
      this.#apply(op, true);
    } else {
      this.#log.debug({ seq, expected: this.#state.seq + 1 }, 'board log moved under this node: catching up');
      await this.#catchUp(seq);
    }
    return op;
  }

  /** Applies what the log has after this board's head; `mine` is the seq this node just appended. */
  async #catchUp(mine?: number): Promise<void> {
    const missed = await this.#store.readBoardOps(this.lessonId, this.#state.seq);
    if ((missed[0]?.seq ?? this.#state.seq + 1) > this.#state.seq + 1) {
      // Another node compacted past this board's head: start again from the stored board. Pages here see
      // the next op's seq jump and sync (they get the snapshot).
      const stored = await this.#store.loadBoard(this.lessonId);
      this.#snapshot = stored.snapshot ?? initialBoard();
      this.#tail = stored.ops;
      this.#state = applyOps(this.#snapshot, this.#tail);
      return;
    }
    for (const op of missed) if (op.seq === this.#state.seq + 1) this.#apply(op, op.seq === mine);
  }

  /** Applies and pushes in one tick (see the class comment). */
  #apply(op: BoardOp, here: boolean): void {
    this.#state = applyOp(this.#state, op);
    this.#tail.push(op);
    this.emit('op', op, here);
    if (!this.#compacting && !this.#closed && this.#tail.length >= this.#compactEvery) {
      this.#compacting = this.#compact().finally(() => (this.#compacting = undefined));
    }
  }

  async #compact(): Promise<void> {
    const snapshot = this.#state;
    try {
      await this.#store.compactBoard(this.lessonId, snapshot);
      this.#snapshot = snapshot;
      this.#tail = this.#tail.filter((op) => op.seq > snapshot.seq);
    } catch (err) {
      // The log still has everything: a later compaction tries again.
      this.#log.error({ err, seq: snapshot.seq }, 'board compaction failed');
    }
  }
}
