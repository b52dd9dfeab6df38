import type { AccountStore } from './AccountStore.ts';
import type { AlertStore } from './AlertStore.ts';
import type { AttendanceStore } from './AttendanceStore.ts';
import type { AuditStore } from './AuditStore.ts';
import type { BoardStore } from './BoardStore.ts';
import type { DeviceStore } from './DeviceStore.ts';
import type { LessonEventStore } from './LessonEventStore.ts';
import type { LessonStore } from './LessonStore.ts';
import type { LimitStore } from './LimitStore.ts';
import type { QualityStore } from './QualityStore.ts';
import type { RecordingStore } from './RecordingStore.ts';
import type { RoomStore } from './RoomStore.ts';
import type { RosterStore } from './RosterStore.ts';
import type { SecretStore } from './SecretStore.ts';

export type {
  AccountStore,
  AlertStore,
  AttendanceStore,
  AuditStore,
  BoardStore,
  DeviceStore,
  LessonEventStore,
  LessonStore,
  LimitStore,
  QualityStore,
  RecordingStore,
  RoomStore,
  RosterStore,
  SecretStore,
};

/**
 * Durable state of CloudSchool: every narrow store in one. A consumer asks for the narrow ones it needs.
 * Two implementations pass the same contract suites (signaling/test/store/): SqliteStore (embedded,
 * single machine, the default) and RedisStore (REDIS_URL, several nodes). Writes that must be
 * all-or-nothing are single calls.
 */
export interface Store
  extends
    RosterStore,
    AccountStore,
    LessonStore,
    AttendanceStore,
    SecretStore,
    RoomStore,
    BoardStore,
    QualityStore,
    LimitStore,
    AuditStore,
    DeviceStore,
    RecordingStore,
    AlertStore,
    LessonEventStore {
  readonly kind: 'sqlite' | 'redis';
  /** Idempotent. */
  close(): Promise<void>;
}

/** A write that would break a uniqueness rule (classroom code, username). */
export class ConflictError extends Error {
  override name = 'ConflictError';
}
