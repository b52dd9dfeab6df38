import type { AttendanceEvent, Presence } from './entities/lessons.ts';

/** Who came to a lesson (an append-only log) and who is connected to it now (presences that expire). */
export interface AttendanceStore {
  appendAttendance(event: AttendanceEvent): Promise<void>;
  /** As appended. */
  listAttendance(lessonId: string): Promise<AttendanceEvent[]>;
  /** Inserts or refreshes a presence; it expires ttlMs after presence.lastSeen unless refreshed. */
  putPresence(presence: Presence, ttlMs: number): Promise<void>;
  removePresence(lessonId: string, connectionId: string): Promise<void>;
  /** Unexpired presences of a lesson at `now`, by connection id. */
  listPresence(lessonId: string, now: number): Promise<Presence[]>;
}
