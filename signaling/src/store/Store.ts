import type {
  Account,
  AttendanceEvent,
  Classroom,
  Lesson,
  Presence,
  School,
  Session,
} from '../domain/types.ts';
import type { BoardStore } from './BoardStore.ts';
import type { RoomStore } from './RoomStore.ts';

/**
 * Durable state of CloudSchool. Two implementations pass the same contract
 * tests (signaling/test/store.contract.test.ts): SqliteStore (embedded,
 * single machine, the default) and RedisStore (REDIS_URL, several nodes).
 * Writes that must be all-or-nothing are single calls here.
 */
export interface Store extends RoomStore, BoardStore {
  readonly kind: 'sqlite' | 'redis';

  // --- roster
  listSchools(): Promise<School[]>;
  getSchool(id: string): Promise<School | undefined>;
  putSchool(school: School): Promise<void>;
  listClassrooms(): Promise<Classroom[]>;
  getClassroom(id: string): Promise<Classroom | undefined>;
  getClassroomByCode(code: string): Promise<Classroom | undefined>;
  /** Inserts or replaces a classroom. Throws ConflictError if its code belongs to another classroom. */
  putClassroom(classroom: Classroom): Promise<void>;
  /** All schools and classrooms of an import, atomically: either every record is written or none. */
  importRoster(schools: School[], classrooms: Classroom[]): Promise<void>;

  // --- accounts and login sessions
  listAccounts(): Promise<Account[]>;
  getAccount(id: string): Promise<Account | undefined>;
  getAccountByUsername(username: string): Promise<Account | undefined>;
  /** Throws ConflictError if the username belongs to another account. */
  putAccount(account: Account): Promise<void>;
  putSession(session: Session): Promise<void>;
  /** Undefined once expired. */
  getSession(id: string): Promise<Session | undefined>;
  deleteSession(id: string): Promise<void>;

  // --- lessons
  getLesson(id: string): Promise<Lesson | undefined>;
  /** Inserts or replaces lessons atomically (a weekly series is one call). */
  putLessons(lessons: Lesson[]): Promise<void>;
  /** Lessons that overlap [from, to), ordered by start. */
  listLessons(range: { from: number; to: number }): Promise<Lesson[]>;

  // --- attendance (append-only) and presence (expiring)
  appendAttendance(event: AttendanceEvent): Promise<void>;
  listAttendance(lessonId: string): Promise<AttendanceEvent[]>;
  /** Inserts or refreshes a presence; it expires ttlMs after presence.lastSeen unless refreshed. */
  putPresence(presence: Presence, ttlMs: number): Promise<void>;
  removePresence(lessonId: string, connectionId: string): Promise<void>;
  /** Unexpired presences of a lesson at `now`. */
  listPresence(lessonId: string, now: number): Promise<Presence[]>;

  // --- secrets (e.g. the join-token signing key), created once and shared by every node
  getOrCreateSecret(name: string, create: () => string): Promise<string>;

  close(): Promise<void>;
}

/** A write that would break a uniqueness rule (classroom code, username). */
export class ConflictError extends Error {
  override name = 'ConflictError';
}
