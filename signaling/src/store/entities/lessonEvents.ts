import { z } from 'zod';
import { logEntity } from '../entity.ts';
import { id, time } from './fields.ts';

/**
 * What a lesson's replay shows on its timeline that no other record keeps with its time: hands raised and
 * lowered, classrooms on and off stage, the layout chosen, questions marked, quizzes revealed. (Questions
 * asked, quizzes opened and closed, and answers have their own records with their times; board operations
 * are kept in the board's history.) `subject`: the classroom, question or quiz; `value`: the layout or the
 * question's new state.
 */
export const LESSON_EVENT_KINDS = [
  'hand:up',
  'hand:down',
  'stage:on',
  'stage:off',
  'layout',
  'question:mark',
  'quiz:reveal',
] as const;

export const lessonEvents = logEntity({
  name: 'lesson event',
  schema: z.object({
    lessonId: id,
    at: time,
    kind: z.enum(LESSON_EVENT_KINDS),
    subject: z.string().min(1).max(64).nullable(),
    value: z.string().min(1).max(32).nullable(),
  }),
  scope: ['lessonId'],
  order: ['at'],
  sqlite: { table: 'lesson_events', columns: ['lessonId'], data: 'record' },
  redis: { list: 'lesson-events' },
});

export type LessonEvent = z.infer<typeof lessonEvents.schema>;
