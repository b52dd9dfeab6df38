/**
 * One page's membership of a lesson: the socket, the join, the mediasoup
 * Device, and recovery. The role-specific media (Publisher for the host,
 * Receiver for a classroom) plugs in as a MediaSide.
 *
 * Besides media, the session carries the lesson's interaction: the join's
 * InteractionState and PersonalState, the `interaction:state` and
 * `chat:message` pushes, and requests (hands, questions, …) through
 * `request()`, which only goes out while the page is in the lesson.
 *
 * Recovery rules, from the server's contract:
 * - the socket drops (a network blip, a ping timeout) while the media is up:
 *   the server keeps this page's place, media and consumers for a while
 *   (signaling/src/socket/departures.ts), and so does the page: its Device,
 *   transports and consumers stay. On the next connection it takes its place
 *   back (`lesson:resume` with its join's peer id and token), drops the
 *   consumers the server closed meanwhile, applies the state, interaction and
 *   personal state it missed and syncs the board (`joined`); a transport
 *   whose ICE broke meanwhile restarts it (transport.ts). Refused (waited too
 *   long, another node) or failed: join again from scratch (lesson:join,
 *   Device, transports), as does a page that lost its socket before its
 *   media was up;
 * - a transport's ICE breaks while the socket stays up (a media-only cut):
 *   ICE restart after a short wait (transport.ts); not back a few seconds
 *   later, it fails as below;
 * - media:reset: the media server restarted, the join still holds: rebuild
 *   the transports only;
 * - any other failure that may pass (timeout, media error, ICE that does not
 *   recover): drop the socket and join again after a backoff, which also
 *   clears whatever the server kept of this peer. A failure reported while
 *   the socket is down waits: once the place is taken back, the page joins
 *   again all the same;
 * - session:replaced, session:removed (the host teacher took the page out),
 *   a refused join (bad id, not found, forbidden, a bad or expired link, no
 *   login, a lesson that is over), a PC the host teacher refused or a browser
 *   without WebRTC support is final.
 *
 * A host is known by the session cookie the socket's handshake carries; a
 * classroom by the signed token of its join link, sent with every join, and
 * its PC by the credential its browser keeps (deviceCredential.ts). A new PC
 * for a classroom already open elsewhere is refused `device_pending`: the
 * page waits on the same socket (phase `pending`, no media) for the host
 * teacher's `device:decision`, then joins again with the credential it was
 * given, or stops for good.
 */
import type { Device } from 'mediasoup-client';
import type { Socket } from 'socket.io-client';
import type {
  BoardStreamEvent,
  BoardStreamPayload,
  ClientEvent,
  DeviceCredential,
  JoinResult,
  LessonState,
  RequestOf,
  Responses,
  ResumeResult,
} from '@cloudschool/protocol';
import type { LinkPhase } from './classroomStatus.ts';
import { clientRtpCapabilities } from './serverTypes.ts';
import { connectSignal, request, SignalError, type LessonSocket } from './signal.ts';
import type { MediaLink, MediaSide } from './mediaSide.ts';
import type { FatalReason, JoinAs, Recovery, SessionCounts, SessionListener } from './sessionTypes.ts';

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

/** mediasoup-client fetched and the browser's handler chosen: a Device that only needs the router's caps. */
function makeDevice(): Promise<Device> {
  // mediasoup-client touches browser globals: loaded on demand, in the browser only.
  return import('mediasoup-client').then(({ Device }) => Device.factory());
}

let preparedDevice: Promise<Device> | null = null;

/**
 * Starts making the Device the page's next join loads, while its socket connects and joins: a classroom
 * sees the teacher that much sooner (fetching the library and choosing the handler took ≈ 0.1–0.3 s after
 * the join's answer on a loaded PC).
 */
export function prepareDevice(): void {
  if (preparedDevice) return;
  preparedDevice = makeDevice();
  // Its failure is the join's to report (loadDevice), not an unhandled rejection meanwhile.
  preparedDevice.catch(() => undefined);
}

export async function loadDevice(
  routerRtpCapabilities: JoinResult['routerRtpCapabilities'],
): Promise<Device> {
  const pending = preparedDevice ?? makeDevice();
  preparedDevice = null;
  const device = await pending;
  await device.load({ routerRtpCapabilities: clientRtpCapabilities(routerRtpCapabilities) });
  return device;
}

export class LessonSession {
  readonly #join: JoinAs;
  readonly #side: MediaSide;
  readonly #listener: SessionListener;
  #socket: LessonSocket | null = null;
  #device: Device | null = null;
  /** The current join's answer (updated by resumes); null while the page must join (again). */
  #joined: JoinResult | null = null;
  /** In the lesson on the current connection: requests may go out. */
  #online = false;
  /** The connection dropped with the media up: the media is kept, and the page takes its place back. */
  #keeping = false;
  /** A media failure reported while the connection was down: acted on once the page is back. */
  #deferred: { error: unknown } | null = null;
  /** Links waiting for the page to be in the lesson (MediaLink.whenOnline). */
  #waiters: { attempt: number; resolve: (online: boolean) => void }[] = [];
  /** Since the page lost the lesson, until it is back with its media up. */
  #lost: { at: number; reconnectedAt: number | null } | null = null;
  #state: LessonState | null = null;
  #phase: LinkPhase = 'connecting';
  /** Bumped on every (re)start; async work from an older attempt checks it and gives up. */
  #attempt = 0;
  #everReady = false;
  #retryDelay = RETRY_MIN_MS;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** A connection made at once (#reconnectNow) is under way: the other transport back says nothing new. */
  #hurried = false;
  readonly #counts: SessionCounts = { joins: 0, resumes: 0, iceRestarts: 0 };

  constructor(join: JoinAs, side: MediaSide, listener: SessionListener) {
    this.#join = { ...join };
    this.#side = side;
    this.#listener = listener;
  }

  /** This page in the lesson (its last join's), or null before the first join. */
  get peerId(): string | null {
    return this.#joined?.peerId ?? null;
  }

  get counts(): SessionCounts {
    return { ...this.#counts };
  }

  open(): void {
    prepareDevice();
    const socket = connectSignal();
    this.#socket = socket;
    socket.on('connect', () => {
      this.#hurried = false;
      if (this.#lost) this.#lost.reconnectedAt = Date.now();
      if (this.#keeping) void this.#resume(socket);
      else void this.#joinLesson(socket);
    });
    socket.on('disconnect', (reason) => this.#disconnected(socket, reason));
    // Refused by the server's middleware: socket.io stops retrying by itself.
    socket.on('connect_error', () => {
      this.#hurried = false;
      if (!socket.active && !this.#final) this.#scheduleReconnect(socket);
    });
    socket.on('lesson:state', (state) => this.#onState(state));
    socket.on('interaction:state', (state) => this.#listener.interaction?.(state));
    socket.on('chat:message', (message) => this.#listener.message?.(message));
    socket.on('media:reset', () => void this.#restartMedia(socket));
    socket.on('session:replaced', () => this.#finish('replaced'));
    socket.on('session:removed', ({ by }) => this.#stopFor(by === 'coordinator' ? 'revoked' : 'removed'));
    socket.on('device:decision', (decision) => this.#decided(socket, decision));
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
    if (!socket || !this.#online || this.#final) return;
    // Widened like request(): socket.io cannot resolve the payload type for a generic E.
    const untyped: Socket = socket;
    (volatile ? untyped.volatile : untyped).emit(event, payload);
  }

  /**
   * A request on the lesson's link (hands, questions, quality reports, …). Refused at once with
   * 'not_joined' while the page is (re)joining or taking its place back.
   */
  request<E extends ClientEvent>(event: E, payload: RequestOf<E>): Promise<Responses[E]> {
    const socket = this.#socket;
    if (!socket || !this.#online || this.#final) {
      return Promise.reject(new SignalError('not_joined', `${event}: not in the lesson right now`));
    }
    return request(socket, event, payload);
  }

  /** Leaves for good (the page is going away). */
  close(): void {
    this.#attempt++;
    this.#leave();
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

  /** Not in the lesson any more, nothing kept: links waiting for it give up. */
  #leave(): void {
    this.#joined = null;
    this.#online = false;
    this.#keeping = false;
    this.#deferred = null;
    this.#wake();
  }

  /** Stops media and invalidates in-flight work; the page shows it is catching up. */
  #interrupt(): number {
    this.#side.stop();
    this.#setPhase(this.#everReady ? 'reconnecting' : 'connecting');
    const attempt = ++this.#attempt;
    this.#wake();
    return attempt;
  }

  /** Tells the waiting links whether the page is in the lesson for them now. */
  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.resolve(w.attempt === this.#attempt && this.#online && !this.#final);
  }

  #whenOnline(attempt: number): Promise<boolean> {
    if (attempt !== this.#attempt || this.#final) return Promise.resolve(false);
    if (this.#online) return Promise.resolve(true);
    return new Promise((resolve) => this.#waiters.push({ attempt, resolve }));
  }

  #disconnected(socket: LessonSocket, reason: Socket.DisconnectReason): void {
    this.#online = false;
    if (this.#final) return;
    this.#lost ??= this.#everReady ? { at: Date.now(), reconnectedAt: null } : null;
    // A page that left on purpose or was sent away is forgotten by the server: nothing to take back.
    const recoverable = reason !== 'io client disconnect' && reason !== 'io server disconnect';
    if (recoverable && this.#joined && (this.#phase === 'ready' || this.#keeping)) {
      this.#keeping = true;
      this.#setPhase('reconnecting');
    } else {
      this.#leave();
      this.#interrupt();
    }
    // A server-side disconnect is not retried by socket.io itself.
    if (reason === 'io server disconnect') this.#scheduleReconnect(socket);
  }

  async #joinLesson(socket: LessonSocket): Promise<void> {
    this.#leave();
    const attempt = this.#interrupt();
    let joined: JoinResult;
    try {
      joined = await request(socket, 'lesson:join', this.#joinRequest());
    } catch (error) {
      if (error instanceof SignalError && error.code === 'device_pending') {
        // Asked the host teacher: this socket waits for the decision (#decided), with no media.
        if (attempt === this.#attempt && !this.#final && socket.connected) this.#setPhase('pending');
        return;
      }
      this.#fail(error, attempt, joinRefusal(error));
      return;
    }
    if (attempt !== this.#attempt) return;
    // The Device loads (the browser builds an offer off the page's thread) while the page draws the lesson
    // it joined, not after: the teacher's picture waits for the one, not for both.
    const loading = loadDevice(joined.routerRtpCapabilities);
    loading.catch(() => undefined);
    if (joined.device) this.#join.device?.keep(joined.device);
    this.#counts.joins++;
    this.#joined = joined;
    this.#online = true;
    this.#listener.joined?.(joined);
    this.#onState(joined.state);
    let device: Device;
    try {
      device = await loading;
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

  /** What this page joins as: its lesson and role, a classroom's token and its PC. */
  #joinRequest(): RequestOf<'lesson:join'> {
    const { lessonId, role, token, device } = this.#join;
    const credential = device?.credential() ?? null;
    return {
      lessonId,
      role,
      ...(token ? { token } : {}),
      ...(credential ? { device: credential } : {}),
      ...(device?.label ? { deviceLabel: device.label } : {}),
    };
  }

  /**
   * The host teacher's answer to this waiting PC: admitted, it keeps its new credential and joins again on
   * the same socket (taking the classroom over); refused, it stops for good (the server closes the socket).
   */
  #decided(socket: LessonSocket, decision: { admitted: boolean; device: DeviceCredential | null }): void {
    if (this.#phase !== 'pending' || this.#socket !== socket) return;
    if (decision.admitted && decision.device) {
      this.#join.device?.keep(decision.device);
      void this.#joinLesson(socket);
    } else {
      this.#stopFor('device-refused');
    }
  }

  /** Stopped for good for a reason of the lesson's (removed, refused): told, then finished. */
  #stopFor(reason: FatalReason): void {
    if (this.#final) return;
    this.#listener.fatal(reason);
    this.#finish('error');
  }

  /** Takes the page's place back on a new connection, its media kept; joins from scratch if refused. */
  async #resume(socket: LessonSocket): Promise<void> {
    const joined = this.#joined;
    if (!joined) return this.#joinLesson(socket);
    const attempt = this.#attempt;
    let back: ResumeResult;
    try {
      back = await request(socket, 'lesson:resume', {
        lessonId: joined.state.lessonId,
        peerId: joined.peerId,
        token: joined.resumeToken,
      });
    } catch (error) {
      // Dropped again meanwhile: the next connection tries again.
      if (attempt !== this.#attempt || this.#final || !socket.connected) return;
      console.warn('[cloudschool] could not take the place back, joining again:', error);
      return this.#joinLesson(socket);
    }
    if (attempt !== this.#attempt || this.#final || !socket.connected) return;
    this.#counts.resumes++;
    this.#keeping = false;
    const updated: JoinResult = {
      ...joined,
      state: back.state,
      interaction: back.interaction,
      personal: back.personal,
      iceServers: back.iceServers,
    };
    this.#joined = updated;
    this.#online = true;
    this.#side.resumed?.(back.consumerIds);
    this.#listener.joined?.(updated);
    this.#onState(back.state);
    const deferred = this.#deferred;
    this.#deferred = null;
    if (deferred) {
      this.#fail(deferred.error, attempt);
      return;
    }
    this.#ready('resumed');
  }

  async #restartMedia(socket: LessonSocket): Promise<void> {
    const device = this.#device;
    const joined = this.#joined;
    if (this.#final || !device || !joined || !this.#online) return;
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
    await this.#side.start(this.#link(socket, device, joined, attempt));
    if (attempt !== this.#attempt) return;
    this.#ready('joined');
  }

  #link(socket: LessonSocket, device: Device, joined: JoinResult, attempt: number): MediaLink {
    const current = (): boolean => attempt === this.#attempt && this.#online && !this.#final;
    return {
      socket,
      device,
      joined,
      get online() {
        return current();
      },
      whenOnline: () => this.#whenOnline(attempt),
      transportOptions: () => ({
        iceServers: (this.#joined?.iceServers ?? []).map(({ urls, username, credential }) => ({
          urls,
          username,
          credential,
        })),
        iceTransportPolicy: this.#join.relay ? 'relay' : 'all',
      }),
      iceRestarted: () => {
        this.#counts.iceRestarts++;
      },
      pathBack: () => this.#reconnectNow(),
      fail: (error) => this.#fail(error, attempt),
    };
  }

  /**
   * The media reached the server again, so the network is back: a connection socket.io is still retrying
   * (its back-off grows to 5 s while the network is down) is made again now, and the page takes its
   * place back at once. Its session id is kept, so this is still a resume.
   */
  #reconnectNow(): void {
    const socket = this.#socket;
    if (!socket || this.#final || socket.connected || !socket.active || this.#hurried) return;
    // Both of a classroom's transports come back at once: the second must not abort the first's attempt.
    this.#hurried = true;
    socket.disconnect().connect();
  }

  /** In the lesson with the media up (again). */
  #ready(how: Recovery['how']): void {
    this.#everReady = true;
    this.#retryDelay = RETRY_MIN_MS;
    this.#setPhase('ready');
    // Pushes that arrived while media was being built (or the connection was down) were not passed on.
    if (this.#state) this.#side.update(this.#state);
    this.#wake();
    const lost = this.#lost;
    this.#lost = null;
    if (lost) {
      this.#listener.recovered?.({
        how,
        lostAt: lost.at,
        reconnectedAt: lost.reconnectedAt ?? lost.at,
        readyAt: Date.now(),
      });
    }
  }

  /** A failure of the current attempt: final when a reason is given, otherwise join again. */
  #fail(error: unknown, attempt: number, reason: FatalReason | null = null): void {
    if (attempt !== this.#attempt || this.#final) return;
    if (reason) {
      this.#listener.fatal(reason);
      this.#finish('error');
      return;
    }
    // The connection is down with the media kept: decided once the page is back.
    if (this.#keeping) {
      this.#deferred ??= { error };
      return;
    }
    console.warn('[cloudschool] joining again after', error);
    const socket = this.#socket;
    if (!socket) return;
    this.#lost ??= this.#everReady ? { at: Date.now(), reconnectedAt: null } : null;
    this.#leave();
    this.#interrupt();
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
    this.#leave();
    clearTimeout(this.#retryTimer);
    this.#side.stop();
    this.#setPhase(phase);
    this.#socket?.disconnect();
  }
}
