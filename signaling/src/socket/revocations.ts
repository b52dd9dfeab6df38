import type { LessonChange } from '../services/LessonService.ts';
import { accountRoom, classroomRoom, deviceRoom, hostRoom, lessonRoom, sessionRoom } from './rooms.ts';
import type { IoServer, IoSocket } from './types.ts';

/** Long enough for the pages to get the lesson's last state ("ended") before their connections close. */
const LAST_WORD_MS = 1500;

/**
 * Permissions are checked again when they change, not only when a connection joins: what a change takes
 * away closes the connections that relied on it, on every node (Socket.IO rooms span them). A page whose
 * connection is closed this way is told why by what it gets when it tries again (its join is refused).
 */
export class Revocations {
  readonly #io: IoServer;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(io: IoServer) {
    this.#io = io;
  }

  /** A login ended (logout): every connection it opened closes. */
  loggedOut(sessionId: string): void {
    this.#io.in(sessionRoom(sessionId)).disconnectSockets(true);
  }

  /** Logins ended together (a password changed or reset, a coordinator ending them): their connections close. */
  sessionsEnded(sessionIds: readonly string[]): void {
    if (sessionIds.length > 0) this.#io.in(sessionIds.map(sessionRoom)).disconnectSockets(true);
  }

  /** An account disabled: every connection of any of its logins closes. */
  accountDisabled(accountId: string): void {
    this.#io.in(accountRoom(accountId)).disconnectSockets(true);
  }

  /** A classroom PC revoked (by a coordinator): its pages are told they were removed, and close. */
  deviceRevoked(deviceId: string): void {
    const room = this.#io.in(deviceRoom(deviceId));
    room.emit('session:removed', { by: 'coordinator' });
    room.disconnectSockets(true);
  }

  /** A connection opened with a login closes when the login expires. */
  expireWithLogin(socket: IoSocket): void {
    const session = socket.data.session;
    if (!session) return;
    const timer = setTimeout(() => socket.disconnect(true), Math.max(0, session.expiresAt - Date.now()));
    timer.unref();
    socket.once('disconnect', () => clearTimeout(timer));
  }

  /**
   * A lesson's record changed: its end or cancellation closes every page (after its last state went out),
   * a classroom no longer invited loses its pages, a host teacher replaced loses the host console.
   */
  lessonChanged({ lesson, before, kind }: LessonChange): void {
    if (kind === 'ended' || kind === 'cancelled') {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.#io.in(lessonRoom(lesson.id)).disconnectSockets(true);
      }, LAST_WORD_MS);
      timer.unref();
      this.#timers.add(timer);
      return;
    }
    if (!before) return;
    const invited = new Set(lesson.invitedClassroomIds);
    const removed = before.invitedClassroomIds.filter((id) => !invited.has(id));
    if (removed.length > 0)
      this.#io.in(removed.map((id) => classroomRoom(lesson.id, id))).disconnectSockets(true);
    if (before.hostTeacherId !== lesson.hostTeacherId)
      this.#io.in(hostRoom(lesson.id)).disconnectSockets(true);
  }

  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
