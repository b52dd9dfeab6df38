import type { BoardOp, BoardState } from '@cloudschool/board';
import type { MeasuredLevel } from '@cloudschool/protocol';
import type { z } from 'zod';
import type { AuditPageRecords, AuditRange } from './AuditStore.ts';
import type { Backend } from './Backend.ts';
import type { StoredBoard } from './BoardStore.ts';
import { checkBatch } from './batches.ts';
import { accounts, logins, sessions } from './entities/accounts.ts';
import type { Account, Login, Session } from './entities/accounts.ts';
import { auditEntries } from './entities/audit.ts';
import type { AuditEntry } from './entities/audit.ts';
import { boardOpRecord, boardSnapshot } from './entities/board.ts';
import { attendance, lessons, MAX_LESSON_MS, presence } from './entities/lessons.ts';
import type { AttemptCounter } from './entities/limits.ts';
import type { AttendanceEvent, Lesson, Presence } from './entities/lessons.ts';
import {
  chatMessages,
  hands,
  questions,
  quizAnswers,
  quizzes,
  readMarks,
  stages,
  votes,
} from './entities/room.ts';
import type { ChatMessage, Hand, Question, Quiz, QuizAnswer, StageMember } from './entities/room.ts';
import { devices } from './entities/devices.ts';
import type { Device } from './entities/devices.ts';
import { qualityTimes } from './entities/quality.ts';
import { lessonAlerts } from './entities/alerts.ts';
import { lessonEvents } from './entities/lessonEvents.ts';
import type { LessonEvent } from './entities/lessonEvents.ts';
import type { LessonAlert } from './entities/alerts.ts';
import type { QualityTime } from './entities/quality.ts';
import {
  openRecordings,
  recordingRetention,
  recordingRetentionValue,
  recordings,
  recordingSegments,
} from './entities/recordings.ts';
import type {
  OpenRecording,
  Recording,
  RecordingRetention,
  RecordingSegment,
} from './entities/recordings.ts';
import { classrooms, schools } from './entities/roster.ts';
import type { Classroom, School } from './entities/roster.ts';
import { secrets } from './entities/secrets.ts';
import type { AttemptAnswer, AttemptRule } from './LimitStore.ts';
import { checkRecord, checkTtl, decodeJsonRecord, InvalidRecordError } from './records.ts';
import type { Store } from './Store.ts';

/** The collections a Store is made of, one per declared entity. */
function collectionsOf(backend: Backend) {
  return {
    schools: backend.collection(schools),
    classrooms: backend.collection(classrooms),
    accounts: backend.collection(accounts),
    sessions: backend.collection(sessions),
    logins: backend.collection(logins),
    lessons: backend.collection(lessons),
    attendance: backend.log(attendance),
    secrets: backend.collection(secrets),
    hands: backend.members(hands),
    stages: backend.collection(stages),
    questions: backend.collection(questions),
    votes: backend.members(votes),
    quizzes: backend.collection(quizzes),
    quizAnswers: backend.collection(quizAnswers),
    chatMessages: backend.log(chatMessages),
    readMarks: backend.collection(readMarks),
    qualityTimes: backend.collection(qualityTimes),
    lessonAlerts: backend.collection(lessonAlerts),
    devices: backend.collection(devices),
    recordings: backend.collection(recordings),
    openRecordings: backend.collection(openRecordings),
    recordingSegments: backend.log(recordingSegments),
    recordingRetention: backend.collection(recordingRetention),
    lessonEvents: backend.log(lessonEvents),
  };
}

/** An attempt counter's key: 1–300 characters. */
function checkKey(key: string): string {
  if (key.length === 0 || key.length > 300) throw new InvalidRecordError(`invalid attempt key ${key}`);
  return key;
}

/** A rule: a key, whole free attempts (≥ 1), at least one wait, times in whole milliseconds, forgetting after > 0. */
function checkRule(rule: AttemptRule): AttemptRule {
  const ms = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
  const bad = rule.waits.length === 0 || !rule.waits.every(ms) || !ms(rule.free) || rule.free === 0;
  if (bad || !ms(rule.forgetMs) || rule.forgetMs === 0)
    throw new InvalidRecordError(`invalid attempt rule for ${rule.key}`);
  return { ...rule, key: checkKey(rule.key) };
}

/** Checks a record of an entity before it is written (InvalidRecordError). */
function check<T>(entity: { readonly name: string; readonly schema: z.ZodType<T> }, record: T): T {
  return checkRecord(entity.schema, record, entity.name);
}

/**
 * The Store written once over the collections of a Backend: what each method means (which records it
 * checks, what it writes together, how a session expires) is decided here for SQLite and Redis alike;
 * how records are kept is the backend's. SqliteStore and RedisStore only open their backend.
 */
export class CollectionStore implements Store {
  readonly kind: 'sqlite' | 'redis';
  readonly #backend: Backend;
  readonly #in: ReturnType<typeof collectionsOf>;
  #closed = false;

  protected constructor(backend: Backend) {
    this.kind = backend.kind;
    this.#backend = backend;
    this.#in = collectionsOf(backend);
  }

  // --- roster

  async listSchools(): Promise<School[]> {
    return this.#in.schools.list({});
  }

  async getSchool(id: string): Promise<School | undefined> {
    return this.#in.schools.get({ id });
  }

  async putSchool(school: School): Promise<void> {
    await this.#in.schools.put([check(schools, school)]);
  }

  async listClassrooms(): Promise<Classroom[]> {
    return this.#in.classrooms.list({});
  }

  async getClassroom(id: string): Promise<Classroom | undefined> {
    return this.#in.classrooms.get({ id });
  }

  async getClassroomByCode(code: string): Promise<Classroom | undefined> {
    return this.#in.classrooms.getByUnique(code);
  }

  async putClassroom(classroom: Classroom): Promise<void> {
    await this.#in.classrooms.put([check(classrooms, classroom)]);
  }

  async importRoster(schoolList: School[], classroomList: Classroom[]): Promise<void> {
    await this.#in.classrooms.put(checkBatch(classrooms, classroomList), {
      entity: schools,
      records: checkBatch(schools, schoolList),
    });
  }

  // --- accounts and login sessions

  async listAccounts(): Promise<Account[]> {
    return this.#in.accounts.list({});
  }

  async getAccount(id: string): Promise<Account | undefined> {
    return this.#in.accounts.get({ id });
  }

  async getAccountByUsername(username: string): Promise<Account | undefined> {
    return this.#in.accounts.getByUnique(username);
  }

  async putAccount(account: Account): Promise<void> {
    await this.#in.accounts.put([check(accounts, account)]);
  }

  async putSession(session: Session): Promise<void> {
    const checked = check(sessions, session);
    // An already expired session is one that getSession would not return: keep nothing.
    if (checked.expiresAt <= Date.now()) await this.#in.sessions.delete(checked);
    else await this.#in.sessions.put([checked]);
  }

  async getSession(id: string): Promise<Session | undefined> {
    const session = await this.#in.sessions.get({ id });
    // The session's own time decides, on this node's clock (Redis expires the key on its own clock).
    if (session === undefined || session.expiresAt > Date.now()) return session;
    await this.#in.sessions.delete({ id });
    return undefined;
  }

  async deleteSession(id: string): Promise<void> {
    await this.#in.sessions.delete({ id });
  }

  async putLogin(login: Login): Promise<void> {
    const checked = check(logins, login);
    if (checked.expiresAt > Date.now()) await this.#in.logins.put([checked]);
  }

  async listLogins(accountId: string): Promise<Login[]> {
    const now = Date.now();
    const listed = await this.#in.logins.list({ accountId });
    // A hash field does not expire by itself in Redis: the records' own time decides, and the expired go.
    const expired = listed.filter((login) => login.expiresAt <= now);
    await Promise.all(expired.map((login) => this.#in.logins.delete(login)));
    return listed.filter((login) => login.expiresAt > now);
  }

  async deleteLogin(accountId: string, sessionId: string): Promise<void> {
    await this.#in.logins.delete({ accountId, sessionId });
  }

  // --- lessons

  async getLesson(id: string): Promise<Lesson | undefined> {
    return this.#in.lessons.get({ id });
  }

  async putLessons(lessonList: Lesson[]): Promise<void> {
    await this.#in.lessons.put(checkBatch(lessons, lessonList));
  }

  async listLessons(range: { from: number; to: number }): Promise<Lesson[]> {
    // A lesson overlaps [from, to) if it starts before `to` and ends after `from`; as none lasts longer
    // than MAX_LESSON_MS, only those that start from `from - MAX_LESSON_MS` on can.
    const starting = await this.#in.lessons.listBetween({}, 'startsAt', range.from - MAX_LESSON_MS, range.to);
    return starting.filter((lesson) => lesson.endsAt > range.from);
  }

  // --- attendance and presence

  async appendAttendance(event: AttendanceEvent): Promise<void> {
    await this.#in.attendance.append(check(attendance, event));
  }

  async listAttendance(lessonId: string): Promise<AttendanceEvent[]> {
    return this.#in.attendance.list({ lessonId });
  }

  async putPresence(record: Presence, ttlMs: number): Promise<void> {
    await this.#backend.presence.putPresence(check(presence, record), checkTtl(ttlMs));
  }

  async removePresence(lessonId: string, connectionId: string): Promise<void> {
    await this.#backend.presence.removePresence(lessonId, connectionId);
  }

  async listPresence(lessonId: string, now: number): Promise<Presence[]> {
    return this.#backend.presence.listPresence(lessonId, now);
  }

  // --- secrets

  async getOrCreateSecret(name: string, create: () => string): Promise<string> {
    const existing = await this.#in.secrets.get({ name });
    if (existing !== undefined) return existing.value;
    // Read again after the insert: another node may have inserted its own value first, and that one is the secret.
    await this.#in.secrets.insert(check(secrets, { name, value: create() }));
    const secret = await this.#in.secrets.get({ name });
    if (secret === undefined) throw new Error(`secret ${name} is missing after it was created`);
    return secret.value;
  }

  // --- the live interaction of a lesson

  async raiseHand(hand: Hand): Promise<boolean> {
    // Inserted only if absent: a hand already up keeps its place in the queue.
    return this.#in.hands.insert(check(hands, hand));
  }

  async lowerHand(lessonId: string, classroomId: string): Promise<boolean> {
    return this.#in.hands.delete({ lessonId, classroomId });
  }

  async listHands(lessonId: string): Promise<Hand[]> {
    return this.#in.hands.list({ lessonId });
  }

  async getStage(lessonId: string): Promise<StageMember[]> {
    return (await this.#in.stages.get({ lessonId }))?.members ?? [];
  }

  async putStage(lessonId: string, members: StageMember[]): Promise<void> {
    const stage = check(stages, { lessonId, members });
    if (stage.members.length === 0) await this.#in.stages.delete(stage);
    else await this.#in.stages.put([stage]);
  }

  async putQuestion(question: Question): Promise<void> {
    await this.#in.questions.put([check(questions, question)]);
  }

  async getQuestion(lessonId: string, questionId: string): Promise<Question | undefined> {
    return this.#in.questions.get({ lessonId, id: questionId });
  }

  async setVote(lessonId: string, questionId: string, classroomId: string, on: boolean): Promise<void> {
    const vote = check(votes, { lessonId, questionId, classroomId });
    if (on) await this.#in.votes.insert(vote);
    else await this.#in.votes.delete(vote);
  }

  async listQuestions(lessonId: string): Promise<(Question & { voters: string[] })[]> {
    const listed = await this.#in.questions.list({ lessonId });
    const voted = await Promise.all(
      listed.map((question) => this.#in.votes.list({ lessonId, questionId: question.id })),
    );
    return listed.map((question, index) => ({
      ...question,
      voters: (voted[index] ?? []).map((vote) => vote.classroomId),
    }));
  }

  async putQuiz(quiz: Quiz): Promise<void> {
    await this.#in.quizzes.put([check(quizzes, quiz)]);
  }

  async getQuiz(lessonId: string, quizId: string): Promise<Quiz | undefined> {
    return this.#in.quizzes.get({ lessonId, id: quizId });
  }

  async listQuizzes(lessonId: string): Promise<Quiz[]> {
    return this.#in.quizzes.list({ lessonId });
  }

  async putQuizAnswer(answer: QuizAnswer): Promise<void> {
    await this.#in.quizAnswers.put([check(quizAnswers, answer)]);
  }

  async listQuizAnswers(lessonId: string, quizId: string): Promise<QuizAnswer[]> {
    return this.#in.quizAnswers.list({ lessonId, quizId });
  }

  async appendMessage(message: ChatMessage): Promise<void> {
    await this.#in.chatMessages.append(check(chatMessages, message));
  }

  async listMessages(lessonId: string, classroomId: string): Promise<ChatMessage[]> {
    return this.#in.chatMessages.list({ lessonId, classroomId });
  }

  async setReadUntil(
    lessonId: string,
    classroomId: string,
    side: 'host' | 'classroom',
    at: number,
  ): Promise<void> {
    await this.#in.readMarks.put([check(readMarks, { lessonId, classroomId, side, at })]);
  }

  async getReadUntil(lessonId: string, classroomId: string, side: 'host' | 'classroom'): Promise<number> {
    return (await this.#in.readMarks.get({ lessonId, classroomId, side }))?.at ?? 0;
  }

  // --- classroom devices

  async putDevice(device: Device): Promise<void> {
    await this.#in.devices.put([check(devices, device)]);
  }

  getDevice(classroomId: string, deviceId: string): Promise<Device | undefined> {
    return this.#in.devices.get({ classroomId, id: deviceId });
  }

  listDevices(classroomId: string): Promise<Device[]> {
    return this.#in.devices.list({ classroomId });
  }

  // --- recordings

  async putRecording(recording: Recording): Promise<void> {
    const checked = check(recordings, recording);
    const { nodeId, id: recordingId, lessonId } = checked;
    if (checked.status === 'recording') {
      const marker = check(openRecordings, { nodeId, recordingId, lessonId });
      await this.#in.recordings.put([checked], { entity: openRecordings, records: [marker] });
    } else {
      // Written before the marker goes: a crash between the two leaves a marker whose recording has ended,
      // which the node starting again only removes.
      await this.#in.recordings.put([checked]);
      await this.#in.openRecordings.delete({ nodeId, recordingId });
    }
  }

  getRecording(lessonId: string, id: string): Promise<Recording | undefined> {
    return this.#in.recordings.get({ lessonId, id });
  }

  listRecordings(lessonId: string): Promise<Recording[]> {
    return this.#in.recordings.list({ lessonId });
  }

  listOpenRecordings(nodeId: string): Promise<OpenRecording[]> {
    return this.#in.openRecordings.list({ nodeId });
  }

  async appendRecordingSegment(segment: RecordingSegment): Promise<void> {
    await this.#in.recordingSegments.append(check(recordingSegments, segment));
  }

  listRecordingSegments(recordingId: string): Promise<RecordingSegment[]> {
    return this.#in.recordingSegments.list({ recordingId });
  }

  async deleteRecording(lessonId: string, id: string): Promise<boolean> {
    const recording = await this.#in.recordings.get({ lessonId, id });
    if (recording === undefined) return false;
    if (recording.status === 'recording') {
      throw new InvalidRecordError(`recording ${id} is being made and cannot be deleted`);
    }
    // The segments first: a crash between the two leaves a recording without segments, listed as empty
    // and deleted again by the next sweep, rather than segments nothing points to.
    await this.#in.recordingSegments.clear({ recordingId: id });
    return this.#in.recordings.delete({ lessonId, id });
  }

  async getRecordingRetention(): Promise<RecordingRetention | undefined> {
    const stored = await this.#in.recordingRetention.get({ name: 'recording-retention' });
    if (stored === undefined) return undefined;
    return decodeJsonRecord(recordingRetentionValue, stored.value, 'recording retention');
  }

  async putRecordingRetention(retention: RecordingRetention): Promise<void> {
    const value = JSON.stringify(checkRecord(recordingRetentionValue, retention, 'recording retention'));
    await this.#in.recordingRetention.put([{ name: 'recording-retention', value }]);
  }

  // --- a lesson's timeline

  async appendLessonEvent(event: LessonEvent): Promise<void> {
    await this.#in.lessonEvents.append(check(lessonEvents, event));
  }

  listLessonEvents(lessonId: string): Promise<LessonEvent[]> {
    return this.#in.lessonEvents.list({ lessonId });
  }

  // --- quality over time

  async addQualityTime(
    lessonId: string,
    classroomId: string,
    ms: Partial<Record<MeasuredLevel, number>>,
  ): Promise<void> {
    const was = (await this.#in.qualityTimes.get({ lessonId, classroomId })) ?? {
      lessonId,
      classroomId,
      goodMs: 0,
      fairMs: 0,
      poorMs: 0,
      badMs: 0,
    };
    const sum = (level: MeasuredLevel): number => was[`${level}Ms`] + Math.round(ms[level] ?? 0);
    await this.#in.qualityTimes.put([
      check(qualityTimes, {
        lessonId,
        classroomId,
        goodMs: sum('good'),
        fairMs: sum('fair'),
        poorMs: sum('poor'),
        badMs: sum('bad'),
      }),
    ]);
  }

  listQualityTimes(lessonId: string): Promise<QualityTime[]> {
    return this.#in.qualityTimes.list({ lessonId });
  }

  // --- the wall's alerts

  async putLessonAlerts(lessonId: string, alerts: readonly LessonAlert[]): Promise<void> {
    if (alerts.some((a) => a.lessonId !== lessonId)) {
      throw new InvalidRecordError('invalid lesson alert: every alert of one call is of its lesson');
    }
    if (alerts.length > 0) await this.#in.lessonAlerts.put(alerts.map((a) => check(lessonAlerts, a)));
  }

  listLessonAlerts(lessonId: string): Promise<LessonAlert[]> {
    return this.#in.lessonAlerts.list({ lessonId });
  }

  // --- attempt counters

  async takeAttempt(rules: readonly AttemptRule[], now: number): Promise<AttemptAnswer> {
    return this.#backend.attempts.takeAttempt(rules.map(checkRule), now);
  }

  async refundAttempt(key: string, now: number): Promise<void> {
    await this.#backend.attempts.refundAttempt(checkKey(key), now);
  }

  async clearAttempts(key: string): Promise<void> {
    await this.#backend.attempts.clearAttempts(checkKey(key));
  }

  async getAttempts(key: string, now: number): Promise<AttemptCounter | undefined> {
    return this.#backend.attempts.getAttempts(checkKey(key), now);
  }

  // --- the audit log

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.#backend.audit.appendAudit(check(auditEntries, entry));
  }

  async listAudit(range: AuditRange): Promise<AuditPageRecords> {
    if (!Number.isSafeInteger(range.limit) || range.limit < 1)
      throw new InvalidRecordError(`invalid audit page size ${range.limit}`);
    return this.#backend.audit.listAudit(range);
  }

  // --- the whiteboard

  async appendBoardOp(lessonId: string, op: Omit<BoardOp, 'seq'>): Promise<number> {
    return this.#backend.board.appendBoardOp(lessonId, checkRecord(boardOpRecord, op, 'board operation'));
  }

  async readBoardOps(lessonId: string, afterSeq: number): Promise<BoardOp[]> {
    return this.#backend.board.readBoardOps(lessonId, afterSeq);
  }

  async loadBoard(lessonId: string): Promise<StoredBoard> {
    return this.#backend.board.loadBoard(lessonId);
  }

  async readBoardHistory(lessonId: string, afterSeq: number, limit: number): Promise<BoardOp[]> {
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new InvalidRecordError(`invalid board history page size ${limit}`);
    return this.#backend.board.readBoardHistory(lessonId, afterSeq, limit);
  }

  async compactBoard(lessonId: string, snapshot: BoardState): Promise<void> {
    await this.#backend.board.compactBoard(lessonId, checkRecord(boardSnapshot, snapshot, 'board snapshot'));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#backend.close();
  }
}
