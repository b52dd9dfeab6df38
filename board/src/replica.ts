/**
 * A page's copy of the board: what a browser (or a test, or the benchmark) keeps to follow the server.
 * No transport here: feed it every `board:op` push and the answers of `board:sync`.
 *
 *   const replica = new BoardReplica();
 *   socket.on('board:op', (op) => { if (replica.receive(op) === 'gap') void resync(); });
 *   async function resync() {
 *     const afterSeq = replica.beginSync();   // pushes are held from now on
 *     const res = await socket.timeout(10_000).emitWithAck('board:sync', { afterSeq });
 *     if (res.ok) replica.endSync(res.data); else replica.abortSync();
 *   }
 *   // on (re)connect: join the lesson, then resync().
 *
 * Pushes that arrive while a sync is in flight are held and applied after its answer, so an answer that
 * is processed after later pushes (a promise resolves in a microtask) can never undo them.
 */
import type { BoardOp, BoardState, BoardSyncResult } from './model.ts';
import { applyOp, initialBoard } from './reducer.ts';

export type ReceiveResult =
  /** Applied, with any held operations it unblocked. */
  | 'applied'
  /** Already applied: a push that the last sync also answered. */
  | 'duplicate'
  /** Held: a sync is in flight. */
  | 'held'
  /** Held because operations before it are missing: sync now. */
  | 'gap';

/** Observers of what a replica applies, e.g. to redraw only what changed, or to check the sequence. */
export interface BoardReplicaObserver {
  /** An operation was applied (each seq at most once, in order). */
  applied?(op: BoardOp, state: BoardState): void;
  /** The state was replaced by a snapshot. */
  reset?(state: BoardState): void;
}

export class BoardReplica {
  #state: BoardState = initialBoard();
  readonly #held = new Map<number, BoardOp>();
  readonly #observer: BoardReplicaObserver;
  #syncing = false;

  constructor(observer: BoardReplicaObserver = {}) {
    this.#observer = observer;
  }

  get state(): BoardState {
    return this.#state;
  }

  /** The last seq applied: what `board:sync` asks after. */
  get lastSeq(): number {
    return this.#state.seq;
  }

  get syncing(): boolean {
    return this.#syncing;
  }

  /** A `board:op` push. */
  receive(op: BoardOp): ReceiveResult {
    if (op.seq <= this.#state.seq) return 'duplicate';
    if (this.#syncing) {
      this.#held.set(op.seq, op);
      return 'held';
    }
    if (op.seq > this.#state.seq + 1) {
      this.#held.set(op.seq, op);
      return 'gap';
    }
    this.#apply(op);
    this.#drain();
    return 'applied';
  }

  /** Starts a sync: answers the `afterSeq` to send; pushes are held until endSync or abortSync. */
  beginSync(): number {
    this.#syncing = true;
    return this.#state.seq;
  }

  /** The answer of `board:sync`: a snapshot replaces the state; then its operations, then held pushes. */
  endSync(result: BoardSyncResult): void {
    this.#syncing = false;
    if (result.snapshot) {
      this.#state = result.snapshot;
      this.#observer.reset?.(this.#state);
    }
    for (const op of result.ops) if (op.seq > this.#state.seq) this.#apply(op);
    this.#drain();
  }

  abortSync(): void {
    this.#syncing = false;
  }

  /** Whether held operations wait for missing ones (a sync is needed). */
  get missing(): boolean {
    return !this.#syncing && this.#held.size > 0;
  }

  #apply(op: BoardOp): void {
    this.#state = applyOp(this.#state, op);
    this.#observer.applied?.(op, this.#state);
  }

  #drain(): void {
    for (const seq of this.#held.keys()) if (seq <= this.#state.seq) this.#held.delete(seq);
    for (let next = this.#held.get(this.#state.seq + 1); next; next = this.#held.get(this.#state.seq + 1)) {
      this.#held.delete(next.seq);
      this.#apply(next);
    }
  }
}
