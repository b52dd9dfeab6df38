import type { AttendanceStore } from '../store/Store.ts';

export const PRESENCE_TTL_MS = 45_000;
const HEARTBEAT_MS = 15_000;

interface Heartbeat {
  timer: NodeJS.Timeout | undefined;
  /** The connection left while its join was still being written. */
  left: boolean;
}

/**
 * Which classroom is connected to which lesson, kept in the store with
 * heartbeats (a crashed node's presences expire), and the join/leave log
 * that attendance reports are computed from.
 */
export class PresenceTracker {
  readonly #store: AttendanceStore;
  readonly #nodeId: string;
  readonly #heartbeats = new Map<string, Heartbeat>();

  constructor(store: AttendanceStore, nodeId: string) {
    this.#store = store;
    this.#nodeId = nodeId;
  }

  async joined(lessonId: string, classroomId: string, connectionId: string): Promise<void> {
    // Known before anything is awaited: a leave that comes while this join is still writing wins.
    const entry: Heartbeat = { timer: undefined, left: false };
    this.#heartbeats.set(connectionId, entry);
    const at = Date.now();
    await this.#store.appendAttendance({ lessonId, classroomId, kind: 'join', at });
    const beat = (): Promise<void> =>
      this.#store.putPresence(
        { lessonId, classroomId, connectionId, nodeId: this.#nodeId, lastSeen: Date.now() },
        PRESENCE_TTL_MS,
      );
    await beat();
    if (entry.left) {
      await this.#store.removePresence(lessonId, connectionId);
      return;
    }
    entry.timer = setInterval(() => void beat().catch(() => undefined), HEARTBEAT_MS);
    entry.timer.unref();
  }

  async left(lessonId: string, classroomId: string, connectionId: string): Promise<void> {
    const entry = this.#heartbeats.get(connectionId);
    if (entry) {
      entry.left = true;
      clearInterval(entry.timer);
      this.#heartbeats.delete(connectionId);
    }
    await this.#store.appendAttendance({ lessonId, classroomId, kind: 'leave', at: Date.now() });
    await this.#store.removePresence(lessonId, connectionId);
  }

  /** Connections whose heartbeat runs (or is starting): none is left once every page has gone (healthz). */
  get beating(): number {
    return this.#heartbeats.size;
  }

  /** Connected classrooms (distinct) of a lesson, across every node. */
  async connectedClassrooms(lessonId: string): Promise<Set<string>> {
    return new Set((await this.#store.listPresence(lessonId, Date.now())).map((p) => p.classroomId));
  }

  close(): void {
    for (const entry of this.#heartbeats.values()) {
      entry.left = true;
      clearInterval(entry.timer);
    }
    this.#heartbeats.clear();
  }
}
