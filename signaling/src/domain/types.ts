/** The durable records of CloudSchool. Times are UTC epoch milliseconds. */

export type ClassroomKind = 'host' | 'remote';
export type AccountRole = 'coordinator' | 'teacher';
/** Stored status; 'open' (from 15 minutes before the start) is derived from the clock, see lessonStatus(). */
export type StoredLessonStatus = 'scheduled' | 'live' | 'ended' | 'cancelled';
export type LessonStatus = StoredLessonStatus | 'open';

export interface School {
  id: string;
  name: string;
  province: string;
  city: string;
  district: string;
  /** IANA zone the school's pages show times in. */
  timeZone: string;
}

export interface Classroom {
  id: string;
  schoolId: string;
  name: string;
  kind: ClassroomKind;
  notes: string;
  /** Short code a tutor types on the projector PC instead of opening a link. Unique. */
  code: string;
}

export interface Account {
  id: string;
  username: string;
  displayName: string;
  role: AccountRole;
  passwordHash: string;
  createdAt: number;
}

export interface Lesson {
  id: string;
  title: string;
  subject: string;
  grade: string;
  hostClassroomId: string;
  hostTeacherId: string;
  startsAt: number;
  endsAt: number;
  invitedClassroomIds: string[];
  /** Lessons of one weekly series share it. */
  seriesId: string | null;
  status: StoredLessonStatus;
  startedAt: number | null;
  endedAt: number | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export interface AttendanceEvent {
  lessonId: string;
  classroomId: string;
  kind: 'join' | 'leave';
  at: number;
}

/** One live connection of a classroom to a lesson; refreshed by heartbeats, expires after a crash. */
export interface Presence {
  lessonId: string;
  classroomId: string;
  connectionId: string;
  nodeId: string;
  lastSeen: number;
}

export interface Session {
  /** sha256 of the cookie value: a stolen database does not yield live cookies. */
  id: string;
  accountId: string;
  expiresAt: number;
}

// ---------------------------------------------------------------- the live classroom interaction of a lesson

/** A raised hand: first come, first served. */
export interface Hand {
  lessonId: string;
  classroomId: string;
  raisedAt: number;
}

export interface StageMember {
  classroomId: string;
  since: number;
  /** Muted by the host: its microphone is not forwarded. */
  muted: boolean;
}

export type QuestionState = 'open' | 'answered' | 'pinned' | 'dismissed';

export interface Question {
  id: string;
  lessonId: string;
  classroomId: string;
  text: string;
  createdAt: number;
  state: QuestionState;
}

export interface Quiz {
  id: string;
  lessonId: string;
  question: string;
  kind: 'single' | 'multiple';
  options: string[];
  startedAt: number;
  /** When answers stop being accepted: set by a timer or by the host closing it. */
  closesAt: number | null;
  closedAt: number | null;
  revealed: boolean;
}

/** A whole classroom's answer: the option(s) it chose, or the tutor's per-option count of students. */
export interface QuizAnswer {
  lessonId: string;
  quizId: string;
  classroomId: string;
  choices: number[] | null;
  counts: number[] | null;
  at: number;
}

/** The private line between one classroom's tutor and the host side. */
export interface ChatMessage {
  id: string;
  lessonId: string;
  classroomId: string;
  from: 'host' | 'classroom';
  text: string;
  at: number;
}
