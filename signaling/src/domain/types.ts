/**
 * The durable records of CloudSchool. Times are UTC epoch milliseconds. Each stored record's type is
 * inferred from the schema its entity is declared with (store/entities/), so the type, the check of what
 * is written and the decoding of what is read never disagree.
 */

import type { StoredLessonStatus } from '../store/entities/lessons.ts';

export type { Account, AccountRole, Session } from '../store/entities/accounts.ts';
export type { AttendanceEvent, Lesson, Presence, StoredLessonStatus } from '../store/entities/lessons.ts';
export type {
  ChatMessage,
  Hand,
  Question,
  QuestionState,
  Quiz,
  QuizAnswer,
  StageMember,
} from '../store/entities/room.ts';
export type { Classroom, ClassroomKind, School } from '../store/entities/roster.ts';
export type { LessonEvent } from '../store/entities/lessonEvents.ts';

/** A lesson's status as shown: 'open' (from 15 minutes before the start) is derived from the clock, see lessonStatus(). */
export type LessonStatus = StoredLessonStatus | 'open';
