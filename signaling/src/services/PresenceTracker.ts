import type { AttendanceStore } from '../store/Store.ts';

export const PRESENCE_TTL_MS = 45_000;
const HEARTBEAT_MS = 15_000;

/**
 * Which classroom is connected to which lesson, kept in the store with
 * heartbeats (a crashed node's presences expire), and the join/leave log
 * that attendance reports are computed from.
 */
export class PresenceTracker {
  readonly #store: AttendanceStore;
  readonly #nodeId: string;
  readonly #heartbeats = new Map<string, NodeJS.Timeout>();

  constructor(store: AttendanceStore, nodeId: string) {
    this.#store = store;
    this.#nodeId = nodeId;
  }

  async joined(lessonId: string, classroomId: string, connectionId: string): Promise<void> {
    const at = Date.now();
    await this.#store.appendAttendance({ lessonId, classroomId, kind: 'join', at });
    const beat = (): Promise<void> =>
      this.#store.putPresence(
        { lessonId, classroomId, connectionId, nodeId: this.#nodeId, lastSeen: Date.now() },
        PRESENCE_TTL_MS,
      );
    await beat();
    const timer = setInterval(() => void beat().catch(() => undefined), HEARTBEAT_MS);
    timer.unref();
    this.#heartbeats.set(connectionId, timer);
  }

  async left(lessonId: string, classroomId: string, connectionId: string): Promise<void> {
    clearInterval(this.#heartbeats.get(connectionId));
    this.#heartbeats.delete(connectionId);
    await this.#store.appendAttendance({ lessonId, classroomId, kind: 'leave', at: Date.now() });
    await this.#store.removePresence(lessonId, connectionId);
  }

  /** Connected classrooms (distinct) of a lesson, across every node. */
  async connectedClassrooms(lessonId: string): Promise<Set<string>> {
    return new Set((await this.#store.listPresence(lessonId, Date.now())).map((p) => p.classroomId));
  }

  close(): void {
    for (const timer of this.#heartbeats.values()) clearInterval(timer);
    this.#heartbeats.clear();
  }
}
