/**
 * One page's membership of a lesson: the socket, the join, the mediasoup
 * Device, and recovery. The role-specific media (Publisher for the host,
 * Receiver for a classroom) plugs in as a MediaSide.
 *
 * Besides media, the session carries the lesson's interaction: the join's
 * InteractionState and PersonalState, the `interaction:state` and
 * `chat:message` pushes, and requests (hands, questions, …) through
 * `request()`, which only goes out while the page has joined.
 *
 * Recovery rules, from the server's contract:
 * - socket reconnect: the server has forgotten this peer, so join again from
 *   scratch (lesson:join, Device, transports);
 * - media:reset: the media server restarted, the join still holds: rebuild
 *   the transports only;
 * - any other failure that may pass (timeout, media error, failed ICE): drop
 *   the socket and join again after a backoff, which also clears whatever the
 *   server kept of this peer;
 * - session:replaced, a refused join (bad id, not found, forbidden, a bad
 *   or expired link, no login, a lesson that is over) or a browser without
 *   WebRTC support is final.
 *
 * A host is known by the session cookie the socket's handshake carries; a
 * classroom by the signed token of its join link, sent with every join.
 */
import type { Device } from 'mediasoup-client';
import type { Socket } from 'socket.io-client';
import type {
  BoardStreamEvent,
  BoardStreamPayload,
  ChatMessageView,
  ClientEvent,
  InteractionState,
  JoinResult,
  LessonState,
  LiveLaser,
  LiveStrokeBegin,
  LiveStrokePoints,
  RequestOf,
  Responses,
  Role,
} from '@cloudschool/protocol';
import type { BoardOp } from '@cloudschool/board';
import type { LinkPhase } from './classroomStatus.ts';
import { clientRtpCapabilities } from './serverTypes.ts';
import { connectSignal, request, SignalError, type LessonSocket } from './signal.ts';

/** What a MediaSide gets to build its media with. A new link is made for every (re)start. */
export interface MediaLink {
  readonly socket: LessonSocket;
  readonly device: Device;
  /** What the join answered: who this page is (role, classroom) in the lesson. */
  readonly joined: JoinResult;
  /** Reports a broken media path; the session then joins again. */
  fail(error: unknown): void;
}

export interface MediaSide {
  /** Builds transports (and producers or consumers) on a fresh link. */
  start(link: MediaLink): Promise<void>;
  /** A lesson state push while started. */
  update(state: LessonState): void;
  /** Drops every transport at once; a later start() begins anew. */
  stop(): void;
}

/** Why the page gave up; each has its own message. */
export type FatalReason =
  | 'invalid-lesson'
  | 'not-found'
  | 'forbidden'
  | 'unsupported'
  /** A classroom's link is wrong or expired. */
  | 'invalid-token'
  /** A host page without a logged-in teacher. */
  | 'unauthenticated'
  /** The lesson has ended or was cancelled. */
  | 'closed';

/** Who joins which lesson. */
export interface JoinAs {
  lessonId: string;
  role: Role;
  /** The classroom's join token (from its link or its typed code). */
  token?: string | undefined;
}

/** The whiteboard's pushes: sequenced operations and the live traffic of other pages. */
export interface BoardListener {
  op(op: BoardOp): void;
  strokeBegin(stroke: LiveStrokeBegin): void;
  strokePoints(points: LiveStrokePoints): void;
  laser(laser: LiveLaser): void;
}

export interface SessionListener {
  phase(phase: LinkPhase): void;
  state(state: LessonState): void;
  fatal(reason: FatalReason): void;
  /** Every successful join (the first, and again after a reconnect), before its lesson state. */
  joined?(result: JoinResult): void;
  /** The whole interaction state, after every change. */
  interaction?(state: InteractionState): void;
  /** A backchannel message for this page. */
  message?(message: ChatMessageView): void;
  /** The whiteboard (its sync starts from `joined`). */
  board?: BoardListener;
}

/**
 * Several media sides as one (a classroom both receives and sends): started
 * in order, updated and stopped together.
 */
export function combineSides(...sides: MediaSide[]): MediaSide {
  return {
    async start(link) {
      for (const side of sides) await side.start(link);
    },
    update(state) {
      for (const side of sides) side.update(state);
    },
    stop() {
      for (const side of sides) side.stop();
    },
  };
}

const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 15_000;

/** A refused join is final; the same codes on later requests are not about the lesson. */
const refusals: Partial<Record<SignalError['code'], FatalReason>> = {
  bad_request: 'invalid-lesson',
  not_found: 'not-found',
  forbidden: 'forbidden',
  invalid_token: 'invalid-token',
  unauthenticated: 'unauthenticated',
  lesson_closed: 'closed',
};

function joinRefusal(error: unknown): FatalReason | null {
  return error instanceof SignalError ? (refusals[error.code] ?? null) : null;
}

async function loadDevice(routerRtpCapabilities: JoinResult['routerRtpCapabilities']): Promise<Device> {
  // mediasoup-client touches browser globals: loaded on demand, in the browser only.
  const { Device } = await import('mediasoup-client');
  const device = await Device.factory();
  await device.load({ routerRtpCapabilities: clientRtpCapabilities(routerRtpCapabilities) });
  return device;
}

export class LessonSession {
  readonly #join: JoinAs;
  readonly #side: MediaSide;
  readonly #listener: SessionListener;
  #socket: LessonSocket | null = null;
  #device: Device | null = null;
  /** The current join's answer; null while not joined. */
  #joined: JoinResult | null = null;
  #state: LessonState | null = null;
  #phase: LinkPhase = 'connecting';
  /** Bumped on every (re)start; async work from an older attempt checks it and gives up. */
  #attempt = 0;
  #everReady = false;
  #retryDelay = RETRY_MIN_MS;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(join: JoinAs, side: MediaSide, listener: SessionListener) {
    this.#join = { ...join };
    this.#side = side;
    this.#listener = listener;
  }

  open(): void {
    const socket = connectSignal();
    this.#socket = socket;
    socket.on('connect', () => void this.#joinLesson(socket));
    socket.on('disconnect', (reason) => {
      this.#joined = null;
      if (this.#final) return;
      this.#interrupt();
      // A server-side disconnect is not retried by socket.io itself.
      if (reason === 'io server disconnect') this.#scheduleReconnect(socket);
    });
    // Refused by the server's middleware: socket.io stops retrying by itself.
    socket.on('connect_error', () => {
      if (!socket.active && !this.#final) this.#scheduleReconnect(socket);
    });
    socket.on('lesson:state', (state) => this.#onState(state));
    socket.on('interaction:state', (state) => this.#listener.interaction?.(state));
    socket.on('chat:message', (message) => this.#listener.message?.(message));
    socket.on('media:reset', () => void this.#restartMedia(socket));
    socket.on('session:replaced', () => this.#finish('replaced'));
    const board = this.#listener.board;
    if (board) {
      socket.on('board:op', (op) => board.op(op));
      socket.on('board:stroke:begin', (stroke) => board.strokeBegin(stroke));
      socket.on('board:stroke:points', (points) => board.strokePoints(points));
      socket.on('board:laser', (laser) => board.laser(laser));
    }
  }

  /**
   * The whiteboard's live traffic (no ack): a stroke being drawn, the laser pointer. Dropped while
   * the page is not in the lesson; `volatile` ones are also dropped while the link is busy.
   */
  stream<E extends BoardStreamEvent>(event: E, payload: BoardStreamPayload<E>, volatile = true): void {
    const socket = this.#socket;
    if (!socket || !this.#joined || this.#final) return;
    // Widened like request(): socket.io cannot resolve the payload type for a generic E.
    const untyped: Socket = socket;
    (volatile ? untyped.volatile : untyped).emit(event, payload);
  }

  /**
   * A request on the lesson's link (hands, questions, quizzes, …). Refused at
   * once with 'not_joined' while the page is (re)joining.
   */
  request<E extends ClientEvent>(event: E, payload: RequestOf<E>): Promise<Responses[E]> {
    const socket = this.#socket;
    if (!socket || !this.#joined || this.#final) {
      return Promise.reject(new SignalError('not_joined', `${event}: not in the lesson right now`));
    }
    return request(socket, event, payload);
  }

  /** Leaves for good (the page is going away). */
  close(): void {
    this.#attempt++;
    this.#joined = null;
    clearTimeout(this.#retryTimer);
    this.#side.stop();
    const socket = this.#socket;
    // Cleared first, so the disconnect event below finds the session closed.
    this.#socket = null;
    socket?.disconnect();
  }

  get #final(): boolean {
    return this.#phase === 'replaced' || this.#phase === 'error' || this.#socket === null;
  }

  #setPhase(phase: LinkPhase): void {
    if (this.#phase === phase) return;
    this.#phase = phase;
    this.#listener.phase(phase);
  }

  #onState(state: LessonState): void {
    this.#state = state;
    this.#listener.state(state);
    if (this.#phase === 'ready') this.#side.update(state);
  }

  /** Stops media and invalidates in-flight work; the page shows it is catching up. */
  #interrupt(): number {
    this.#side.stop();
    this.#setPhase(this.#everReady ? 'reconnecting' : 'connecting');
    return ++this.#attempt;
  }

  async #joinLesson(socket: LessonSocket): Promise<void> {
    const attempt = this.#interrupt();
    this.#joined = null;
    let joined: JoinResult;
    const { lessonId, role, token } = this.#join;
    try {
      joined = await request(socket, 'lesson:join', token ? { lessonId, role, token } : { lessonId, role });
    } catch (error) {
      this.#fail(error, attempt, joinRefusal(error));
      return;
    }
    if (attempt !== this.#attempt) return;
    this.#joined = joined;
    this.#listener.joined?.(joined);
    this.#onState(joined.state);
    let device: Device;
    try {
      device = await loadDevice(joined.routerRtpCapabilities);
    } catch (error) {
      const unsupported = error instanceof Error && error.name === 'UnsupportedError';
      this.#fail(error, attempt, unsupported ? 'unsupported' : null);
      return;
    }
    if (attempt !== this.#attempt) return;
    this.#device = device;
    try {
      await this.#startMedia(socket, device, joined, attempt);
    } catch (error) {
      this.#fail(error, attempt);
    }
  }

  async #restartMedia(socket: LessonSocket): Promise<void> {
    const device = this.#device;
    const joined = this.#joined;
    if (this.#final || !device || !joined) return;
    const attempt = this.#interrupt();
    try {
      await this.#startMedia(socket, device, joined, attempt);
    } catch (error) {
      this.#fail(error, attempt);
    }
  }

  async #startMedia(
    socket: LessonSocket,
    device: Device,
    joined: JoinResult,
    attempt: number,
  ): Promise<void> {
    await this.#side.start({ socket, device, joined, fail: (error) => this.#fail(error, attempt) });
    if (attempt !== this.#attempt) return;
    this.#everReady = true;
    this.#retryDelay = RETRY_MIN_MS;
    this.#setPhase('ready');
    // Pushes that arrived while media was being built were not passed on.
    if (this.#state) this.#side.update(this.#state);
  }

  /** A failure of the current attempt: final when a reason is given, otherwise join again. */
  #fail(error: unknown, attempt: number, reason: FatalReason | null = null): void {
    if (attempt !== this.#attempt || this.#final) return;
    if (reason) {
      this.#listener.fatal(reason);
      this.#finish('error');
      return;
    }
    console.warn('[cloudschool] joining again after', error);
    const socket = this.#socket;
    if (!socket) return;
    this.#interrupt();
    this.#joined = null;
    socket.disconnect();
    this.#scheduleReconnect(socket);
  }

  #scheduleReconnect(socket: LessonSocket): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      if (this.#socket === socket && !this.#final) socket.connect();
    }, this.#retryDelay);
    this.#retryDelay = Math.min(this.#retryDelay * 2, RETRY_MAX_MS);
  }

  #finish(phase: 'replaced' | 'error'): void {
    this.#attempt++;
    this.#joined = null;
    clearTimeout(this.#retryTimer);
    this.#side.stop();
    this.#setPhase(phase);
    this.#socket?.disconnect();
  }
}
