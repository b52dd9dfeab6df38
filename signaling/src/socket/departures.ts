import { timingSafeEqual } from 'node:crypto';
import type { DisconnectReason } from 'socket.io';
import { AppError } from '../errors.ts';
import type { LiveLessons } from '../lesson/LiveLessons.ts';
import type { Logger } from '../logger.ts';
import type { PresenceTracker } from '../services/PresenceTracker.ts';
import type { IoSocket } from './types.ts';

type Joined = NonNullable<IoSocket['data']['joined']>;

/** Reasons a connection may drop without the page meaning to leave. */
const RECOVERABLE: ReadonlySet<DisconnectReason> = new Set([
  'transport close',
  'transport error',
  'ping timeout',
]);

/**
 * A joined page whose connection dropped keeps its place for `graceMs`: its media, its consumers and its
 * presence stay, the host side sees it reconnecting, and a browser that comes back within it on a new
 * connection (`lesson:resume` with the token its join gave it) carries on where it was. A page that does
 * not come back, or that left on purpose, leaves: its lesson forgets it and its attendance records the leave.
 */
export class Departures {
  readonly #lessons: LiveLessons;
  readonly #presence: PresenceTracker;
  readonly #graceMs: number;
  readonly #log: Logger;
  /** Pages waiting for their connection, by peer id. */
  readonly #waiting = new Map<string, { joined: Joined; timer: NodeJS.Timeout }>();

  constructor(lessons: LiveLessons, presence: PresenceTracker, graceMs: number, log: Logger) {
    this.#lessons = lessons;
    this.#presence = presence;
    this.#graceMs = graceMs;
    this.#log = log;
  }

  /** The socket's connection closed. */
  disconnected(socket: IoSocket, reason: DisconnectReason): void {
    const j = socket.data.joined;
    if (!j) return;
    const lesson = this.#lessons.get(j.lessonId);
    if (!RECOVERABLE.has(reason) || !lesson?.page(j.peerId)) {
      this.#leave(j);
      return;
    }
    lesson.reconnecting(j.peerId, true);
    clearTimeout(this.#waiting.get(j.peerId)?.timer);
    const timer = setTimeout(() => this.#leave(j), this.#graceMs);
    timer.unref();
    this.#waiting.set(j.peerId, { joined: j, timer });
    this.#log.info({ lessonId: j.lessonId, peerId: j.peerId, reason }, 'connection lost: keeping the page');
  }

  /**
   * A page whose connection dropped takes its place back on a new connection, showing the token its join
   * gave it. Answers what the new connection now is; `not_found` if the page is not waiting here (it
   * waited too long, or on another node): it must join again.
   */
  resume(request: { lessonId: string; peerId: string; token: string }): Joined {
    const waiting = this.#waiting.get(request.peerId);
    const j = waiting?.joined;
    if (!j || j.lessonId !== request.lessonId || !sameToken(j.resumeToken, request.token)) {
      throw new AppError('not_found', 'this page is no longer in the lesson: join again');
    }
    clearTimeout(waiting.timer);
    this.#waiting.delete(request.peerId);
    this.#lessons.get(j.lessonId)?.reconnecting(j.peerId, false);
    this.#log.info({ lessonId: j.lessonId, peerId: j.peerId }, 'connection back: the page carries on');
    return j;
  }

  /**
   * A classroom's new page joined: its pages still waiting for their connection (a reload, a PC that came
   * back with a new connection) leave now instead of lingering as a second page.
   */
  replacedBy(joined: Joined): void {
    for (const [peerId, waiting] of [...this.#waiting]) {
      const w = waiting.joined;
      if (
        peerId !== joined.peerId &&
        w.lessonId === joined.lessonId &&
        w.classroomId === joined.classroomId
      ) {
        clearTimeout(waiting.timer);
        this.#leave(w);
      }
    }
  }

  /** Pages waiting for their connection now (healthz). */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** The node stops: no page waits any more. */
  close(): void {
    for (const { timer } of this.#waiting.values()) clearTimeout(timer);
    this.#waiting.clear();
  }

  #leave(j: Joined): void {
    this.#waiting.delete(j.peerId);
    this.#lessons.get(j.lessonId)?.leave(j.peerId);
    if (j.classroomId) {
      this.#presence
        .left(j.lessonId, j.classroomId, j.peerId)
        .catch((err: unknown) => this.#log.error({ err }, 'presence'));
    }
  }
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
