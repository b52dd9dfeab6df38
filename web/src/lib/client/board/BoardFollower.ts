/**
 * One page's whiteboard, without the UI: the replica of the server's board (BoardReplica: sequenced
 * operations applied in seq order, gaps filled by `board:sync`, on every join and reconnect), what is not
 * sequenced yet (strokes being drawn on other pages, laser pointers, this page's own writes until the
 * server's copy arrives), and this page's writes. The page's LessonSession feeds it (`board` listener,
 * `joined`). What changed is told through the `on…` hooks, which BoardClient.svelte.ts turns into runes.
 */
import { BoardReplica } from '@cloudschool/board';
import type { InkInProgress } from '@cloudschool/board/paint';
import type {
  BoardStreamEvent,
  BoardStreamPayload,
  ClientEvent,
  JoinResult,
  LiveLaser,
  LiveStrokeBegin,
  LiveStrokePoints,
  RequestOf,
  Responses,
} from '@cloudschool/protocol';
import type { BoardAuthor, BoardObject, BoardOp, BoardState, BoardWriteBody } from '@cloudschool/board';
import type { BoardListener } from '#lib/client/sessionTypes.ts';
import { SignalError } from '#lib/client/signal.ts';
import type { MessageKey } from '#lib/i18n/index.ts';
import { STROKE_BATCH_MS, StrokeRecorder, type BoardPointTuple, type StrokeStyle } from './stroke.ts';
import { authorOf, eraseOps, previewObject } from './tools.ts';

export type Send = <E extends ClientEvent>(event: E, payload: RequestOf<E>) => Promise<Responses[E]>;
export type Stream = <E extends BoardStreamEvent>(
  event: E,
  payload: BoardStreamPayload<E>,
  volatile?: boolean,
) => void;

/** A stroke another page is drawing. */
export interface LiveInk extends InkInProgress {
  strokeId: string;
  pageId: string;
  by: BoardAuthor;
  points: BoardPointTuple[];
  updatedAt: number;
}

export interface LaserDot {
  pageId: string;
  x: number;
  y: number;
  at: number;
}

/** This page's write, drawn until the server's copy is applied. */
interface Pending {
  pageId: string;
  object: BoardObject;
  /** The seq the server gave it; null until the ack. */
  seq: number | null;
}

/** A live stroke nobody added to for this long has lost its writer. */
const LIVE_INK_MS = 10_000;
const LASER_MS = 3_000;
const ERROR_MS = 6_000;
const SYNC_RETRY_MS = 2_000;
/** The laser is sent at most this often. */
const LASER_EVERY_MS = 30;

const errorKeys: Partial<Record<SignalError['code'], MessageKey>> = {
  rate_limited: 'board.error.tooFast',
  lesson_closed: 'board.error.closed',
  not_joined: 'board.error.offline',
  timeout: 'board.error.offline',
  not_found: 'board.error.gone',
  conflict: 'board.error.conflict',
};

export class BoardFollower implements BoardListener {
  /** Who this page writes as (null: an observer, or not joined yet). */
  #me: BoardAuthor | null = null;

  /** Strokes other pages are drawing, by strokeId. */
  readonly live = new Map<string, LiveInk>();
  /** Laser pointers of other pages, by author. */
  readonly lasers = new Map<string, LaserDot>();
  /** This page's laser (drawn here without the round trip). */
  ownLaser: LaserDot | null = null;
  /** The stroke this page is drawing. */
  drawing: StrokeRecorder | null = null;

  readonly #send: Send;
  readonly #stream: Stream;
  readonly #replica: BoardReplica;
  readonly #pending = new Map<string, Pending>();
  /** Objects this page erased, hidden until the erase is applied: objectId → the erase's seq. */
  readonly #erasing = new Map<string, number | null>();
  #everSynced = false;
  /** The state last told through onState. */
  #told: BoardState | null = null;
  #syncRun = 0;
  #syncRetry: ReturnType<typeof setTimeout> | undefined;
  #batchTimer: ReturnType<typeof setInterval> | undefined;
  #pruneTimer: ReturnType<typeof setInterval> | undefined;
  #errorTimer: ReturnType<typeof setTimeout> | undefined;
  #lastLaserAt = 0;
  #localSeq = 0;
  #closed = false;

  constructor(send: Send, stream: Stream) {
    this.#send = send;
    this.#stream = stream;
    this.#replica = new BoardReplica({ applied: (op) => this.#applied(op), reset: () => this.#changed() });
  }

  /** What the tests and diagnostics read: the replica's seq and reduced state. */
  snapshot(): { headSeq: number; state: BoardState } {
    return { headSeq: this.#replica.lastSeq, state: this.#replica.state };
  }

  /** Whether an object is hidden here because this page erased it. */
  isErasing(objectId: string): boolean {
    return this.#erasing.has(objectId);
  }

  /** This page's writes not sequenced yet, on a page. */
  pendingOn(pageId: string): BoardObject[] {
    return [...this.#pending.values()].filter((p) => p.pageId === pageId).map((p) => p.object);
  }

  // ---------------------------------------------------------------- what changed (for a subclass to show)

  /** The replica moved (an operation, a sync). */
  protected onState(_state: BoardState, _headSeq: number): void {}
  /** The first sync answered. */
  protected onSynced(): void {}
  protected onAuthor(_me: BoardAuthor | null): void {}
  /** Something not sequenced changed: live ink, lasers, this page's pending writes. */
  protected onLive(): void {}
  /** Objects this page erased were hidden, or shown again. */
  protected onHidden(): void {}
  /** A refused write to tell (null: nothing to tell any more). */
  protected onError(_key: MessageKey | null): void {}

  get state(): BoardState {
    return this.#replica.state;
  }

  get headSeq(): number {
    return this.#replica.lastSeq;
  }

  get me(): BoardAuthor | null {
    return this.#me;
  }

  // ---------------------------------------------------------------- from the session

  /** Every join (first and after a reconnect): catch up with the server. */
  joined(result: JoinResult): void {
    this.#me = authorOf(result.role, result.classroomId);
    this.onAuthor(this.#me);
    void this.#sync();
  }

  op(op: BoardOp): void {
    if (this.#replica.receive(op) === 'gap') void this.#sync();
    this.#published();
  }

  strokeBegin(stroke: LiveStrokeBegin): void {
    const { strokeId, pageId, tool, color, width, by } = stroke;
    const points = [...stroke.points];
    this.live.set(strokeId, { strokeId, pageId, tool, color, width, by, points, updatedAt: Date.now() });
    this.#keepPruning();
    this.onLive();
  }

  strokePoints(batch: LiveStrokePoints): void {
    const ink = this.live.get(batch.strokeId);
    if (!ink || ink.by !== batch.by) return;
    ink.points.push(...batch.points);
    ink.updatedAt = Date.now();
    this.onLive();
  }

  laser(laser: LiveLaser): void {
    if (laser.pageId === null) this.lasers.delete(laser.by);
    else this.lasers.set(laser.by, { pageId: laser.pageId, x: laser.x, y: laser.y, at: Date.now() });
    this.#keepPruning();
    this.onLive();
  }

  // ---------------------------------------------------------------- writes

  /** Any write (page, view, undo…); the seq it got, or null when refused (the error is shown). */
  async write(op: BoardWriteBody): Promise<number | null> {
    try {
      return (await this.#send('board:op', { op })).seq;
    } catch (error) {
      this.#refused(error);
      return null;
    }
  }

  /** A shape or a text: drawn here at once, until the server's copy is applied. */
  async add(op: Extract<BoardWriteBody, { type: 'shape' | 'text' }>): Promise<number | null> {
    const key = `local${++this.#localSeq}`;
    const object = previewObject(op, this.#me ?? 'host');
    this.#pending.set(key, { pageId: op.pageId, object, seq: null });
    this.onLive();
    const seq = await this.write(op);
    this.#settle(key, seq);
    return seq;
  }

  /** Erases objects of a page (hidden here at once). */
  async erase(pageId: string, objectIds: readonly string[]): Promise<void> {
    const ids = objectIds.filter((id) => !this.#erasing.has(id));
    if (ids.length === 0) return;
    for (const id of ids) this.#erasing.set(id, null);
    this.onHidden();
    for (const op of eraseOps(pageId, ids)) {
      const seq = await this.write(op);
      for (const id of op.objectIds) {
        if (seq === null) this.#erasing.delete(id);
        else this.#erasing.set(id, seq);
      }
      if (seq === null) this.onHidden();
    }
    this.#published();
  }

  /** Starts a stroke: streamed live while drawn, then sent whole when finished. */
  beginStroke(pageId: string, style: StrokeStyle, first: BoardPointTuple): StrokeRecorder {
    this.finishStroke();
    const recorder = new StrokeRecorder(pageId, style, first, (message) => {
      switch (message.type) {
        case 'begin':
          // Reliable: every page must know the stroke before its points.
          this.#stream('board:stroke:begin', message.payload, false);
          break;
        case 'points':
          this.#stream('board:stroke:points', message.payload);
          break;
        case 'end':
          void this.#endStroke(message.payload);
          break;
      }
    });
    this.drawing = recorder;
    this.#batchTimer = setInterval(() => recorder.flush(), STROKE_BATCH_MS);
    this.onLive();
    return recorder;
  }

  addPoint(point: BoardPointTuple): void {
    if (this.drawing?.add(point)) this.onLive();
  }

  finishStroke(): void {
    clearInterval(this.#batchTimer);
    this.#batchTimer = undefined;
    const recorder = this.drawing;
    this.drawing = null;
    recorder?.finish();
    this.onLive();
  }

  /** The laser at a page point (null: hidden), sent at most every LASER_EVERY_MS. */
  pointLaser(pageId: string | null, x = 0, y = 0): void {
    const now = Date.now();
    if (pageId === null) {
      if (this.ownLaser === null) return;
      this.ownLaser = null;
      this.#stream('board:laser', { pageId: null }, false);
    } else {
      this.ownLaser = { pageId, x, y, at: now };
      if (now - this.#lastLaserAt >= LASER_EVERY_MS) {
        this.#lastLaserAt = now;
        this.#stream('board:laser', { pageId, x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 });
      }
    }
    this.onLive();
  }

  /** The host gives (or takes back) the pen; rejects with the server's refusal. */
  async setPen(classroomId: string, on: boolean): Promise<void> {
    if (on) await this.#send('board:pen:grant', { classroomId });
    else await this.#send('board:pen:revoke', { classroomId });
  }

  clearError(): void {
    clearTimeout(this.#errorTimer);
    this.onError(null);
  }

  /** Tells of a refusal for a few seconds. */
  showError(key: MessageKey): void {
    clearTimeout(this.#errorTimer);
    this.onError(key);
    this.#errorTimer = setTimeout(() => this.onError(null), ERROR_MS);
  }

  /** Stops following the server (the lesson is over): the replica stays, for export. */
  close(): void {
    this.#closed = true;
    this.#syncRun++;
    clearTimeout(this.#syncRetry);
    clearInterval(this.#batchTimer);
    clearInterval(this.#pruneTimer);
    clearTimeout(this.#errorTimer);
    this.#pruneTimer = undefined;
  }

  // ---------------------------------------------------------------- internals

  async #sync(): Promise<void> {
    if (this.#closed) return;
    clearTimeout(this.#syncRetry);
    const run = ++this.#syncRun;
    const afterSeq = this.#replica.beginSync();
    try {
      const result = await this.#send('board:sync', this.#everSynced ? { afterSeq } : {});
      // A newer sync (a reconnect) took over: its answer counts, not this one.
      if (run !== this.#syncRun) return;
      this.#replica.endSync(result);
      if (!this.#everSynced) {
        this.#everSynced = true;
        this.onSynced();
      }
    } catch (error) {
      if (run !== this.#syncRun) return;
      this.#replica.abortSync();
      // Not in the lesson: the next join syncs. Otherwise (a timeout…) try again soon.
      if (!(error instanceof SignalError && error.code === 'not_joined')) {
        console.warn('[cloudschool] board:sync', error);
        this.#syncRetry = setTimeout(() => void this.#sync(), SYNC_RETRY_MS);
      }
    }
    this.#published();
    // Pushes held during the sync that still wait for missing operations.
    if (this.#replica.missing) this.#syncRetry = setTimeout(() => void this.#sync(), 0);
  }

  #applied(op: BoardOp): void {
    if (op.op.type === 'stroke') {
      this.live.delete(op.op.strokeId);
      this.#pending.delete(op.op.strokeId);
    }
  }

  /** The replica moved: publish its state and drop what it now shows itself. */
  #published(): void {
    const head = this.#replica.lastSeq;
    let changed = false;
    for (const [key, p] of this.#pending) {
      if (p.seq !== null && p.seq <= head) changed = this.#pending.delete(key) || changed;
    }
    for (const [id, seq] of this.#erasing) {
      if (seq !== null && seq <= head) this.#erasing.delete(id);
    }
    const state = this.#replica.state;
    if (state !== this.#told) {
      this.#told = state;
      this.onState(state, head);
      changed = true;
    }
    if (changed) this.onLive();
  }

  #changed(): void {
    // A snapshot replaced the state; #published() follows at the end of the sync.
    this.onLive();
  }

  async #endStroke(stroke: RequestOf<'board:stroke:end'>): Promise<void> {
    const object: BoardObject = {
      id: `o0`,
      by: this.#me ?? 'host',
      z: Number.MAX_SAFE_INTEGER,
      kind: 'stroke',
      tool: stroke.tool,
      color: stroke.color,
      width: stroke.width,
      points: stroke.points,
    };
    this.#pending.set(stroke.strokeId, { pageId: stroke.pageId, object, seq: null });
    this.onLive();
    let seq: number | null = null;
    try {
      seq = (await this.#send('board:stroke:end', stroke)).seq;
    } catch (error) {
      this.#refused(error);
    }
    this.#settle(stroke.strokeId, seq);
  }

  /** A write was answered: keep its preview until the replica has its seq, or drop it if refused. */
  #settle(key: string, seq: number | null): void {
    const pending = this.#pending.get(key);
    if (!pending) return;
    if (seq === null || seq <= this.#replica.lastSeq) this.#pending.delete(key);
    else pending.seq = seq;
    this.onLive();
  }

  #refused(error: unknown): void {
    console.warn('[cloudschool] board write refused', error);
    const code = error instanceof SignalError ? error.code : null;
    let key: MessageKey = 'board.error.failed';
    if (code === 'forbidden') key = this.#me === 'host' ? 'board.error.failed' : 'board.error.noPen';
    else if (code !== null) key = errorKeys[code] ?? key;
    this.showError(key);
  }

  /** Live ink and lasers whose writer went quiet are dropped; the timer runs while there are any. */
  #keepPruning(): void {
    if (this.#pruneTimer !== undefined || this.#closed) return;
    this.#pruneTimer = setInterval(() => {
      const now = Date.now();
      let changed = false;
      for (const [id, ink] of this.live) {
        if (now - ink.updatedAt > LIVE_INK_MS) changed = this.live.delete(id) || changed;
      }
      for (const [by, dot] of this.lasers) {
        if (now - dot.at > LASER_MS) changed = this.lasers.delete(by) || changed;
      }
      if (changed) this.onLive();
      if (this.live.size === 0 && this.lasers.size === 0) {
        clearInterval(this.#pruneTimer);
        this.#pruneTimer = undefined;
      }
    }, 500);
  }
}
