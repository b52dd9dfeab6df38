import { z } from 'zod';
import type {
  Account,
  AttendanceEvent,
  ChatMessage,
  Classroom,
  Hand,
  Lesson,
  Presence,
  Question,
  Quiz,
  QuizAnswer,
  School,
  Session,
  StageMember,
} from '../domain/types.ts';
import { boardOp, boardState } from '@cloudschool/board';
import type { BoardOp, BoardState } from '@cloudschool/board';

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

// --- the live interaction of a lesson (RoomStore)

/** Bounds of what a lesson's interaction may hold; the protocol's limits (protocol/interaction.ts) are within them. */
export const QUESTION_TEXT_MAX = 300;
export const CHAT_TEXT_MAX = 500;
export const QUIZ_QUESTION_MAX = 300;
export const QUIZ_OPTION_MAX = 100;
export const QUIZ_OPTIONS_MIN = 2;
export const QUIZ_OPTIONS_MAX = 6;
export const QUIZ_COUNT_MAX = 10_000;

export const handSchema = z.object({
  lessonId: id,
  classroomId: id,
  raisedAt: time,
}) satisfies z.ZodType<Hand>;

export const stageMemberSchema = z.object({
  classroomId: id,
  since: time,
  muted: z.boolean(),
}) satisfies z.ZodType<StageMember>;

/** The whole stage of a lesson: each classroom at most once. */
export const stageSchema = z
  .array(stageMemberSchema)
  .refine((members) => new Set(members.map((member) => member.classroomId)).size === members.length, {
    message: 'a classroom is on stage at most once',
  }) satisfies z.ZodType<StageMember[]>;

export const questionSchema = z.object({
  id,
  lessonId: id,
  classroomId: id,
  text: z.string().min(1).max(QUESTION_TEXT_MAX),
  createdAt: time,
  state: z.enum(['open', 'answered', 'pinned', 'dismissed']),
}) satisfies z.ZodType<Question>;

/** One classroom's vote for a question (setVote's arguments, checked like a record). */
export const voteSchema = z.object({ lessonId: id, questionId: id, classroomId: id });

export const quizSchema = z.object({
  id,
  lessonId: id,
  question: z.string().min(1).max(QUIZ_QUESTION_MAX),
  kind: z.enum(['single', 'multiple']),
  options: z.array(z.string().min(1).max(QUIZ_OPTION_MAX)).min(QUIZ_OPTIONS_MIN).max(QUIZ_OPTIONS_MAX),
  startedAt: time,
  closesAt: time.nullable(),
  closedAt: time.nullable(),
  revealed: z.boolean(),
}) satisfies z.ZodType<Quiz>;

/** Which option a classroom chose: its index in Quiz.options. */
const optionIndex = z.int().min(0).lt(QUIZ_OPTIONS_MAX);

export const quizAnswerSchema = z
  .object({
    lessonId: id,
    quizId: id,
    classroomId: id,
    choices: z.array(optionIndex).max(QUIZ_OPTIONS_MAX).nullable(),
    counts: z.array(z.int().min(0).max(QUIZ_COUNT_MAX)).max(QUIZ_OPTIONS_MAX).nullable(),
    at: time,
  })
  .refine((answer) => (answer.choices === null) !== (answer.counts === null), {
    message: 'an answer has either choices or counts',
    path: ['choices'],
  }) satisfies z.ZodType<QuizAnswer>;

export const chatMessageSchema = z.object({
  id,
  lessonId: id,
  classroomId: id,
  from: z.enum(['host', 'classroom']),
  text: z.string().min(1).max(CHAT_TEXT_MAX),
  at: time,
}) satisfies z.ZodType<ChatMessage>;

/** Until when one side has read a classroom's backchannel (setReadUntil's arguments). */
export const readMarkSchema = z.object({
  lessonId: id,
  classroomId: id,
  side: z.enum(['host', 'classroom']),
  at: time,
});

/** A time alone (a read mark as RedisStore keeps it). */
export const timeSchema = time;

// --- the whiteboard (BoardStore): the protocol's own schemas

/** An operation as the log keeps it: everything but its seq, which is its place in the log. */
export const boardOpRecordSchema = boardOp.omit({ seq: true }) satisfies z.ZodType<Omit<BoardOp, 'seq'>>;

export const boardSnapshotSchema = boardState satisfies z.ZodType<BoardState>;

/** Parses an operation read back from a log: its JSON (without seq) and its seq. */
export function decodeBoardOp(seq: number, json: string, where: string): BoardOp {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new CorruptRecordError(`${where}: not JSON`, { cause: error });
  }
  if (typeof value !== 'object' || value === null) throw new CorruptRecordError(`${where}: not an object`);
  return decodeRecord(boardOp, { ...value, seq }, where);
}

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
