import { z } from 'zod';
import { entity, logEntity } from '../entity.ts';
import { id, time } from './fields.ts';

/** Lessons (LessonStore), who attended them and who is connected now (AttendanceStore). */

/**
 * The longest lesson the stores accept. Both stores find the lessons overlapping a range by their start,
 * looking back this far (SQLite's starts_at index, Redis's by-start sorted set).
 */
export const MAX_LESSON_MS = 24 * 60 * 60 * 1000;

export const lessons = entity({
  name: 'lesson',
  schema: z
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
      /** Lessons of one weekly series share it. */
      seriesId: id.nullable(),
      /** 'open' (from 15 minutes before the start) is not stored: it is derived from the clock, see lessonStatus(). */
      status: z.enum(['scheduled', 'live', 'ended', 'cancelled']),
      startedAt: time.nullable(),
      endedAt: time.nullable(),
      /**
       * Recording starts by itself when the host teacher broadcasts (a coordinator's choice). Absent (records
       * written before the field existed) means no: both stores keep a lesson as one JSON record, so that is
       * the whole migration (contract test).
       */
      recordAutomatically: z.boolean().optional(),
      createdBy: id,
      createdAt: time,
      updatedAt: time,
    })
    .refine(
      (lesson) => lesson.endsAt >= lesson.startsAt && lesson.endsAt - lesson.startsAt <= MAX_LESSON_MS,
      {
        message: 'a lesson ends at or after its start and lasts at most 24 h',
        path: ['endsAt'],
      },
    ),
  scope: [],
  id: 'id',
  order: ['startsAt', 'id'],
  sqlite: { table: 'lessons', columns: ['id', 'startsAt', 'endsAt'], data: 'record' },
  redis: { string: 'lesson', index: { key: 'lessons:by-start', score: 'startsAt' } },
});

export type Lesson = z.infer<typeof lessons.schema>;
export type StoredLessonStatus = Lesson['status'];

export const attendance = logEntity({
  name: 'attendance event',
  schema: z.object({
    lessonId: id,
    classroomId: id,
    kind: z.enum(['join', 'leave']),
    at: time,
  }),
  scope: ['lessonId'],
  sqlite: { table: 'attendance', columns: ['lessonId', 'classroomId', 'kind', 'at'] },
  redis: { list: 'attendance' },
});

export type AttendanceEvent = z.infer<typeof attendance.schema>;

/**
 * One live connection of a classroom to a lesson; refreshed by heartbeats, expires after a crash. Its
 * expiry is not one of its fields but a time-to-live given with each heartbeat, so its storage is written
 * by hand (sqlite/SqlitePresence.ts, redis/RedisPresence.ts).
 */
export const presence = {
  name: 'presence',
  schema: z.object({
    lessonId: id,
    classroomId: id,
    connectionId: id,
    nodeId: id,
    lastSeen: time,
  }),
  order: ['connectionId'],
} as const;

export type Presence = z.infer<typeof presence.schema>;
