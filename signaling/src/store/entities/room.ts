import { z } from 'zod';
import { CLASS_SIZE_MAX } from '@cloudschool/protocol';
import { entity, logEntity, memberEntity } from '../entity.ts';
import { id, time } from './fields.ts';

/** The live interaction of a lesson (RoomStore): every entity is per lesson, so its scope starts with it. */

/** Bounds of what a lesson's interaction may hold; the protocol's limits (protocol/interaction.ts) are within them. */
export const QUESTION_TEXT_MAX = 300;
export const CHAT_TEXT_MAX = 500;
export const QUIZ_QUESTION_MAX = 300;
export const QUIZ_OPTION_MAX = 100;
export const QUIZ_OPTIONS_MIN = 2;
export const QUIZ_OPTIONS_MAX = 6;
export const QUIZ_COUNT_MAX = CLASS_SIZE_MAX;

/** A raised hand: first come, first served. */
export const hands = memberEntity({
  name: 'hand',
  schema: z.object({ lessonId: id, classroomId: id, raisedAt: time }),
  scope: ['lessonId'],
  id: 'classroomId',
  order: ['raisedAt', 'classroomId'],
  sqlite: { table: 'hands', columns: ['lessonId', 'classroomId', 'raisedAt'] },
  redis: { sortedSet: 'hands', score: 'raisedAt' },
});

export type Hand = z.infer<typeof hands.schema>;

const stageMember = z.object({
  classroomId: id,
  since: time,
  /** Muted by the host: its microphone is not forwarded. */
  muted: z.boolean(),
});

export type StageMember = z.infer<typeof stageMember>;

/** The whole stage of a lesson, stored as its members alone; no record for an empty stage. */
export const stages = entity({
  name: 'stage',
  schema: z.object({
    lessonId: id,
    members: z
      .array(stageMember)
      .refine((members) => new Set(members.map((member) => member.classroomId)).size === members.length, {
        message: 'a classroom is on stage at most once',
      }),
  }),
  scope: [],
  id: 'lessonId',
  sqlite: { table: 'stages', columns: ['lessonId'], data: { json: 'members' } },
  redis: { string: 'stage', value: { json: 'members' } },
});

export const questions = entity({
  name: 'question',
  schema: z.object({
    id,
    lessonId: id,
    classroomId: id,
    text: z.string().min(1).max(QUESTION_TEXT_MAX),
    createdAt: time,
    state: z.enum(['open', 'answered', 'pinned', 'dismissed']),
  }),
  scope: ['lessonId'],
  id: 'id',
  order: ['createdAt', 'id'],
  sqlite: { table: 'questions', columns: ['lessonId', 'id'], data: 'record' },
  redis: { string: 'question', index: { key: 'questions', score: 'createdAt' } },
});

export type Question = z.infer<typeof questions.schema>;
export type QuestionState = Question['state'];

/** One classroom's vote for a question: a classroom votes at most once per question. */
export const votes = memberEntity({
  name: 'vote',
  schema: z.object({ lessonId: id, questionId: id, classroomId: id }),
  scope: ['lessonId', 'questionId'],
  id: 'classroomId',
  order: ['classroomId'],
  sqlite: { table: 'question_votes', columns: ['lessonId', 'questionId', 'classroomId'] },
  redis: { set: 'votes' },
});

export const quizzes = entity({
  name: 'quiz',
  schema: z.object({
    id,
    lessonId: id,
    question: z.string().min(1).max(QUIZ_QUESTION_MAX),
    kind: z.enum(['single', 'multiple']),
    options: z.array(z.string().min(1).max(QUIZ_OPTION_MAX)).min(QUIZ_OPTIONS_MIN).max(QUIZ_OPTIONS_MAX),
    startedAt: time,
    /** When answers stop being accepted: set by a timer or by the host closing it. */
    closesAt: time.nullable(),
    closedAt: time.nullable(),
    revealed: z.boolean(),
  }),
  scope: ['lessonId'],
  id: 'id',
  order: ['startedAt', 'id'],
  sqlite: { table: 'quizzes', columns: ['lessonId', 'id'], data: 'record' },
  redis: { string: 'quiz', index: { key: 'quizzes', score: 'startedAt' } },
});

export type Quiz = z.infer<typeof quizzes.schema>;

/** Which option a classroom chose: its index in Quiz.options. */
const optionIndex = z.int().min(0).lt(QUIZ_OPTIONS_MAX);

/** A whole classroom's answer: the option(s) it chose, or the tutor's per-option count of students. */
export const quizAnswers = entity({
  name: 'quiz answer',
  schema: z
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
    }),
  scope: ['lessonId', 'quizId'],
  id: 'classroomId',
  order: ['classroomId'],
  sqlite: { table: 'quiz_answers', columns: ['lessonId', 'quizId', 'classroomId'], data: 'record' },
  redis: { hash: 'quiz-answers' },
});

export type QuizAnswer = z.infer<typeof quizAnswers.schema>;

/** The private line between one classroom's tutor and the host side, oldest first. */
export const chatMessages = logEntity({
  name: 'chat message',
  schema: z.object({
    id,
    lessonId: id,
    classroomId: id,
    from: z.enum(['host', 'classroom']),
    text: z.string().min(1).max(CHAT_TEXT_MAX),
    at: time,
  }),
  scope: ['lessonId', 'classroomId'],
  order: ['at'],
  sqlite: { table: 'chat_messages', columns: ['lessonId', 'classroomId'], data: 'record' },
  redis: { list: 'chat' },
});

export type ChatMessage = z.infer<typeof chatMessages.schema>;

/** Until when one side has read a classroom's backchannel. */
export const readMarks = entity({
  name: 'read mark',
  schema: z.object({ lessonId: id, classroomId: id, side: z.enum(['host', 'classroom']), at: time }),
  scope: ['lessonId', 'classroomId'],
  id: 'side',
  sqlite: { table: 'chat_reads', columns: ['lessonId', 'classroomId', 'side', 'at'] },
  redis: { hash: 'chat-read', value: { json: 'at' } },
});
