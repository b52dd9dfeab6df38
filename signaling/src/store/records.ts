import { z } from 'zod';
import type {
  Account,
  AttendanceEvent,
  Classroom,
  Lesson,
  Presence,
  School,
  Session,
} from '../domain/types.ts';

/**
 * Zod schemas of the durable records, one per record type, shared by SqliteStore and RedisStore.
 * Both stores check a record with them before writing it (checkRecord) and parse every JSON they read
 * back with them (decodeRecord), so a corrupted or hand-edited value fails loudly instead of flowing
 * on as a wrongly typed object.
 */

/**
 * The longest lesson the stores accept. Both stores find the lessons overlapping a range by their
 * start, looking back this far (SqliteStore's starts_at index, RedisStore's by-start sorted set).
 */
export const MAX_LESSON_MS = 24 * 60 * 60 * 1000;

const id = z.string().min(1);
/** UTC epoch milliseconds. */
const time = z.int();

export const schoolSchema = z.object({
  id,
  name: z.string(),
  province: z.string(),
  city: z.string(),
  district: z.string(),
  timeZone: z.string(),
}) satisfies z.ZodType<School>;

export const classroomSchema = z.object({
  id,
  schoolId: id,
  name: z.string(),
  kind: z.enum(['host', 'remote']),
  notes: z.string(),
  code: z.string().min(1),
}) satisfies z.ZodType<Classroom>;

export const accountSchema = z.object({
  id,
  username: z.string().min(1),
  displayName: z.string(),
  role: z.enum(['coordinator', 'teacher']),
  passwordHash: z.string(),
  createdAt: time,
}) satisfies z.ZodType<Account>;

export const sessionSchema = z.object({
  id,
  accountId: id,
  expiresAt: time,
}) satisfies z.ZodType<Session>;

export const lessonSchema = z
  .object({
    id,
    title: z.string(),
    subject: z.string(),
    grade: z.string(),
    hostClassroomId: id,
    hostTeacherId: id,
    startsAt: time,
    endsAt: time,
    invitedClassroomIds: z.array(id),
    seriesId: id.nullable(),
    status: z.enum(['scheduled', 'live', 'ended', 'cancelled']),
    startedAt: time.nullable(),
    endedAt: time.nullable(),
    createdBy: id,
    createdAt: time,
    updatedAt: time,
  })
  .refine((lesson) => lesson.endsAt >= lesson.startsAt && lesson.endsAt - lesson.startsAt <= MAX_LESSON_MS, {
    message: 'a lesson ends at or after its start and lasts at most 24 h',
    path: ['endsAt'],
  }) satisfies z.ZodType<Lesson>;

export const attendanceEventSchema = z.object({
  lessonId: id,
  classroomId: id,
  kind: z.enum(['join', 'leave']),
  at: time,
}) satisfies z.ZodType<AttendanceEvent>;

export const presenceSchema = z.object({
  lessonId: id,
  classroomId: id,
  connectionId: id,
  nodeId: id,
  lastSeen: time,
}) satisfies z.ZodType<Presence>;

/** A record read back from a store does not match its schema: the store holds data this code did not write. */
export class CorruptRecordError extends Error {
  override name = 'CorruptRecordError';
}

/** A record handed to a store does not match its schema (e.g. a lesson longer than MAX_LESSON_MS). */
export class InvalidRecordError extends Error {
  override name = 'InvalidRecordError';
}

/** Parses a value read back from a store; `where` names it (a Redis key, a table row) in the error. */
export function decodeRecord<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new CorruptRecordError(`${where}: ${z.prettifyError(result.error)}`, { cause: result.error });
  }
  return result.data;
}

/** Parses JSON text read back from a store, then its record. */
export function decodeJsonRecord<T>(schema: z.ZodType<T>, json: string, where: string): T {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new CorruptRecordError(`${where}: not JSON`, { cause: error });
  }
  return decodeRecord(schema, value, where);
}

/** Checks a record before it is written; returns it stripped of properties its type does not have. */
export function checkRecord<T>(schema: z.ZodType<T>, value: T, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidRecordError(`invalid ${what}: ${z.prettifyError(result.error)}`, {
      cause: result.error,
    });
  }
  return result.data;
}

/** Checks a time-to-live in milliseconds: a positive integer. */
export function checkTtl(ttlMs: number): number {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new InvalidRecordError(`invalid ttl: ${ttlMs} is not a positive integer of milliseconds`);
  }
  return ttlMs;
}
