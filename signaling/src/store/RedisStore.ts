import { createClient } from 'redis';
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
import type { BoardOp, BoardState } from '@cloudschool/board';
import type { StoredBoard } from './BoardStore.ts';
import { appendBoardOpScript, compactBoardScript } from './boardScripts.ts';
import { prepareLessons, prepareRoster } from './batches.ts';
import { RedisKeys } from './keys.ts';
import {
  byAt,
  byClassroom,
  byConnection,
  byCreatedAt,
  byId,
  byRaisedAt,
  byStart,
  byStartedAt,
  compareStrings,
} from './order.ts';
import { putRecordsScript } from './putRecordsScript.ts';
import type { IndexedRecordWrite, PutRecords } from './putRecordsScript.ts';
import {
  MAX_LESSON_MS,
  CorruptRecordError,
  InvalidRecordError,
  accountSchema,
  attendanceEventSchema,
  boardOpRecordSchema,
  boardSnapshotSchema,
  chatMessageSchema,
  checkRecord,
  checkTtl,
  classroomSchema,
  decodeBoardOp,
  decodeJsonRecord,
  decodeRecord,
  handSchema,
  lessonSchema,
  presenceSchema,
  questionSchema,
  quizAnswerSchema,
  quizSchema,
  readMarkSchema,
  schoolSchema,
  sessionSchema,
  stageSchema,
  timeSchema,
  voteSchema,
} from './records.ts';
import { ConflictError } from './Store.ts';
import type { Store } from './Store.ts';

export interface RedisStoreOptions {
  /**
   * Errors of the connection (Redis restarting, the network). The client reconnects by itself; commands
   * issued meanwhile wait for it (and fail after the client's command timeout). Default: console.warn.
   */
  onError?: (error: Error) => void;
}

/** How often the first connection is tried before connect() gives up. */
const CONNECT_ATTEMPTS = 5;
/** How often a uniqueness-checked write is tried again when its records change under it. */
const WRITE_ATTEMPTS = 30;

/** A presence as RedisStore keeps it in the lesson's hash: the record and when it expires. */
const storedPresenceSchema = z.object({ presence: presenceSchema, expiresAt: z.int() });

function createStoreClient(url: string, onError: (error: Error) => void) {
  let connected = false;
  const client = createClient({
    url,
    scripts: {
      putRecords: putRecordsScript,
      appendBoardOp: appendBoardOpScript,
      compactBoard: compactBoardScript,
    },
    socket: {
      // Fail fast on a wrong URL at start-up; once connected, keep reconnecting (Redis restarts).
      reconnectStrategy: (retries: number, cause: Error) =>
        !connected && retries >= CONNECT_ATTEMPTS ? cause : Math.min(50 * 2 ** retries, 2000),
    },
  });
  client.on('error', onError);
  client.on('ready', () => {
    connected = true;
  });
  return client;
}

type StoreClient = ReturnType<typeof createStoreClient>;

/**
 * The shared store: every node of a deployment connects to one Redis (REDIS_URL). The key layout is in
 * keys.ts. Multi-key writes are one MULTI/EXEC or one Lua script, so other nodes never see half of one;
 * uniqueness (classroom code, username) is checked inside the script that writes (putRecordsScript.ts).
 * Durability is Redis's: infra/redis.conf ships AOF with appendfsync everysec.
 */
export class RedisStore implements Store {
  readonly kind = 'redis';
  readonly #client: StoreClient;
  readonly #keys: RedisKeys;
  #closed = false;

  /** Connects to `url`; every key starts with `<prefix>:`. Rejects if Redis cannot be reached. */
  static async connect(url: string, prefix = 'cs', options: RedisStoreOptions = {}): Promise<RedisStore> {
    const keys = new RedisKeys(prefix);
    const client = createStoreClient(url, options.onError ?? ((error) => console.warn('redis:', error)));
    await client.connect();
    return new RedisStore(client, keys);
  }

  private constructor(client: StoreClient, keys: RedisKeys) {
    this.#client = client;
    this.#keys = keys;
  }

  // --- roster

  async listSchools(): Promise<School[]> {
    const ids = await this.#client.sMembers(this.#keys.schools());
    return (
      await this.#getAll(
        schoolSchema,
        ids.map((id) => this.#keys.school(id)),
      )
    ).sort(byId);
  }

  async getSchool(id: string): Promise<School | undefined> {
    return this.#get(schoolSchema, this.#keys.school(id));
  }

  async putSchool(school: School): Promise<void> {
    await this.#writeRoster(prepareRoster([school], []));
  }

  async listClassrooms(): Promise<Classroom[]> {
    const ids = await this.#client.sMembers(this.#keys.classrooms());
    return (
      await this.#getAll(
        classroomSchema,
        ids.map((id) => this.#keys.classroom(id)),
      )
    ).sort(byId);
  }

  async getClassroom(id: string): Promise<Classroom | undefined> {
    return this.#get(classroomSchema, this.#keys.classroom(id));
  }

  async getClassroomByCode(code: string): Promise<Classroom | undefined> {
    const id = await this.#client.get(this.#keys.classroomCode(code));
    if (id === null) return undefined;
    const classroom = await this.getClassroom(id);
    // Written by one script with the index, a classroom is missing or moved only in a race with a write.
    return classroom?.code === code ? classroom : undefined;
  }

  async putClassroom(classroom: Classroom): Promise<void> {
    await this.#writeRoster(prepareRoster([], [classroom]));
  }

  async importRoster(schools: School[], classrooms: Classroom[]): Promise<void> {
    await this.#writeRoster(prepareRoster(schools, classrooms));
  }

  async #writeRoster(roster: { schools: School[]; classrooms: Classroom[] }): Promise<void> {
    await this.#putIndexed({
      schema: classroomSchema,
      records: roster.classrooms,
      set: this.#keys.classrooms(),
      recordKey: (id) => this.#keys.classroom(id),
      indexKey: (classroom) => this.#keys.classroomCode(classroom.code),
      conflict: (classroom) => `classroom code ${classroom.code} belongs to another classroom`,
      plainSet: this.#keys.schools(),
      plain: roster.schools.map((school) => ({
        id: school.id,
        json: JSON.stringify(school),
        recordKey: this.#keys.school(school.id),
      })),
    });
  }

  // --- accounts and login sessions

  async listAccounts(): Promise<Account[]> {
    const ids = await this.#client.sMembers(this.#keys.accounts());
    return (
      await this.#getAll(
        accountSchema,
        ids.map((id) => this.#keys.account(id)),
      )
    ).sort(byId);
  }

  async getAccount(id: string): Promise<Account | undefined> {
    return this.#get(accountSchema, this.#keys.account(id));
  }

  async getAccountByUsername(username: string): Promise<Account | undefined> {
    const id = await this.#client.get(this.#keys.accountUsername(username));
    if (id === null) return undefined;
    const account = await this.getAccount(id);
    return account?.username === username ? account : undefined;
  }

  async putAccount(account: Account): Promise<void> {
    await this.#putIndexed({
      schema: accountSchema,
      records: [checkRecord(accountSchema, account, 'account')],
      set: this.#keys.accounts(),
      recordKey: (id) => this.#keys.account(id),
      indexKey: (record) => this.#keys.accountUsername(record.username),
      conflict: (record) => `username ${record.username} belongs to another account`,
      plainSet: this.#keys.accounts(), // unused: no plain records
      plain: [],
    });
  }

  async putSession(session: Session): Promise<void> {
    const checked = checkRecord(sessionSchema, session, 'session');
    const key = this.#keys.session(checked.id);
    const ttl = checked.expiresAt - Date.now();
    // An already expired session is one that getSession would not return: keep nothing.
    if (ttl <= 0) await this.#client.del(key);
    else await this.#client.set(key, JSON.stringify(checked), { expiration: { type: 'PX', value: ttl } });
  }

  async getSession(id: string): Promise<Session | undefined> {
    const session = await this.#get(sessionSchema, this.#keys.session(id));
    // Redis's expiry runs on Redis's clock; the session's own time decides on this node's.
    return session !== undefined && session.expiresAt > Date.now() ? session : undefined;
  }

  async deleteSession(id: string): Promise<void> {
    await this.#client.del(this.#keys.session(id));
  }

  // --- lessons

  async getLesson(id: string): Promise<Lesson | undefined> {
    return this.#get(lessonSchema, this.#keys.lesson(id));
  }

  async putLessons(lessons: Lesson[]): Promise<void> {
    const checked = prepareLessons(lessons);
    if (checked.length === 0) return;
    const multi = this.#client.multi();
    for (const lesson of checked) {
      multi.set(this.#keys.lesson(lesson.id), JSON.stringify(lesson));
      multi.zAdd(this.#keys.lessonsByStart(), { score: lesson.startsAt, value: lesson.id });
    }
    await multi.exec();
  }

  async listLessons(range: { from: number; to: number }): Promise<Lesson[]> {
    // A lesson overlaps [from, to) if it starts before `to` and ends after `from`; as none lasts longer
    // than MAX_LESSON_MS, those that start before `from - MAX_LESSON_MS` cannot.
    const ids = await this.#client.zRange(
      this.#keys.lessonsByStart(),
      scoreBound(range.from - MAX_LESSON_MS, ''),
      scoreBound(range.to, '('),
      { BY: 'SCORE' },
    );
    const lessons = await this.#getAll(
      lessonSchema,
      ids.map((id) => this.#keys.lesson(id)),
    );
    return lessons.filter((lesson) => lesson.endsAt > range.from && lesson.startsAt < range.to).sort(byStart);
  }

  // --- attendance and presence

  async appendAttendance(event: AttendanceEvent): Promise<void> {
    const checked = checkRecord(attendanceEventSchema, event, 'attendance event');
    await this.#client.rPush(this.#keys.attendance(checked.lessonId), JSON.stringify(checked));
  }

  async listAttendance(lessonId: string): Promise<AttendanceEvent[]> {
    const key = this.#keys.attendance(lessonId);
    const events = await this.#client.lRange(key, 0, -1);
    return events.map((json, index) => decodeJsonRecord(attendanceEventSchema, json, `${key}[${index}]`));
  }

  async putPresence(presence: Presence, ttlMs: number): Promise<void> {
    const checked = checkRecord(presenceSchema, presence, 'presence');
    const ttl = checkTtl(ttlMs);
    const key = this.#keys.presence(checked.lessonId);
    const expiresAt = checked.lastSeen + ttl;
    // The key outlives its longest-lived presence (NX sets a first expiry, GT only lengthens it), so a
    // lesson nobody heartbeats any more leaves nothing behind. Never shorter than ttl: lastSeen is the
    // caller's clock, not Redis's.
    const keyTtl = Math.max(ttl, expiresAt - Date.now());
    await this.#client
      .multi()
      .hSet(key, checked.connectionId, JSON.stringify({ presence: checked, expiresAt }))
      .pExpire(key, keyTtl, 'NX')
      .pExpire(key, keyTtl, 'GT')
      .exec();
  }

  async removePresence(lessonId: string, connectionId: string): Promise<void> {
    await this.#client.hDel(this.#keys.presence(lessonId), connectionId);
  }

  async listPresence(lessonId: string, now: number): Promise<Presence[]> {
    const key = this.#keys.presence(lessonId);
    const fields = await this.#client.hGetAll(key);
    return Object.entries(fields)
      .map(([connectionId, json]) => decodeJsonRecord(storedPresenceSchema, json, `${key} ${connectionId}`))
      .filter((stored) => stored.expiresAt > now)
      .map((stored) => stored.presence)
      .sort(byConnection);
  }

  // --- secrets

  async getOrCreateSecret(name: string, create: () => string): Promise<string> {
    const key = this.#keys.secret(name);
    const existing = await this.#client.get(key);
    if (existing !== null) return existing;
    // NX: the first node to write wins, and every node reads the winner's value.
    await this.#client.set(key, create(), { condition: 'NX' });
    const value = await this.#client.get(key);
    if (value === null) throw new Error(`secret ${name} is missing after it was created`);
    return value;
  }

  // --- the live interaction of a lesson

  async raiseHand(hand: Hand): Promise<boolean> {
    const checked = checkRecord(handSchema, hand, 'hand');
    // NX: a hand already up keeps its score (its place in the queue); the reply counts the members added.
    const added = await this.#client.zAdd(
      this.#keys.hands(checked.lessonId),
      { score: checked.raisedAt, value: checked.classroomId },
      { condition: 'NX' },
    );
    return added > 0;
  }

  async lowerHand(lessonId: string, classroomId: string): Promise<boolean> {
    return (await this.#client.zRem(this.#keys.hands(lessonId), classroomId)) > 0;
  }

  async listHands(lessonId: string): Promise<Hand[]> {
    const key = this.#keys.hands(lessonId);
    const members = await this.#client.zRangeWithScores(key, 0, -1);
    return members
      .map(({ value, score }) =>
        decodeRecord(handSchema, { lessonId, classroomId: value, raisedAt: score }, key),
      )
      .sort(byRaisedAt);
  }

  async getStage(lessonId: string): Promise<StageMember[]> {
    return (await this.#get(stageSchema, this.#keys.stage(lessonId))) ?? [];
  }

  async putStage(lessonId: string, members: StageMember[]): Promise<void> {
    const checked = checkRecord(stageSchema, members, 'stage');
    const key = this.#keys.stage(lessonId);
    if (checked.length === 0) await this.#client.del(key);
    else await this.#client.set(key, JSON.stringify(checked));
  }

  async putQuestion(question: Question): Promise<void> {
    const checked = checkRecord(questionSchema, question, 'question');
    await this.#client
      .multi()
      .set(this.#keys.question(checked.lessonId, checked.id), JSON.stringify(checked))
      .zAdd(this.#keys.questions(checked.lessonId), { score: checked.createdAt, value: checked.id })
      .exec();
  }

  async getQuestion(lessonId: string, questionId: string): Promise<Question | undefined> {
    return this.#get(questionSchema, this.#keys.question(lessonId, questionId));
  }

  async setVote(lessonId: string, questionId: string, classroomId: string, on: boolean): Promise<void> {
    const vote = checkRecord(voteSchema, { lessonId, questionId, classroomId }, 'vote');
    const key = this.#keys.votes(vote.lessonId, vote.questionId);
    if (on) await this.#client.sAdd(key, vote.classroomId);
    else await this.#client.sRem(key, vote.classroomId);
  }

  async listQuestions(lessonId: string): Promise<(Question & { voters: string[] })[]> {
    const ids = await this.#client.zRange(this.#keys.questions(lessonId), 0, -1);
    const [questions, voters] = await Promise.all([
      this.#getAll(
        questionSchema,
        ids.map((id) => this.#keys.question(lessonId, id)),
      ),
      Promise.all(ids.map((id) => this.#client.sMembers(this.#keys.votes(lessonId, id)))),
    ]);
    return questions
      .map((question, index) => ({ ...question, voters: (voters[index] ?? []).sort(compareStrings) }))
      .sort(byCreatedAt);
  }

  async putQuiz(quiz: Quiz): Promise<void> {
    const checked = checkRecord(quizSchema, quiz, 'quiz');
    await this.#client
      .multi()
      .set(this.#keys.quiz(checked.lessonId, checked.id), JSON.stringify(checked))
      .zAdd(this.#keys.quizzes(checked.lessonId), { score: checked.startedAt, value: checked.id })
      .exec();
  }

  async getQuiz(lessonId: string, quizId: string): Promise<Quiz | undefined> {
    return this.#get(quizSchema, this.#keys.quiz(lessonId, quizId));
  }

  async listQuizzes(lessonId: string): Promise<Quiz[]> {
    const ids = await this.#client.zRange(this.#keys.quizzes(lessonId), 0, -1);
    return (
      await this.#getAll(
        quizSchema,
        ids.map((id) => this.#keys.quiz(lessonId, id)),
      )
    ).sort(byStartedAt);
  }

  async putQuizAnswer(answer: QuizAnswer): Promise<void> {
    const checked = checkRecord(quizAnswerSchema, answer, 'quiz answer');
    await this.#client.hSet(
      this.#keys.quizAnswers(checked.lessonId, checked.quizId),
      checked.classroomId,
      JSON.stringify(checked),
    );
  }

  async listQuizAnswers(lessonId: string, quizId: string): Promise<QuizAnswer[]> {
    const key = this.#keys.quizAnswers(lessonId, quizId);
    const fields = await this.#client.hGetAll(key);
    return Object.entries(fields)
      .map(([classroomId, json]) => decodeJsonRecord(quizAnswerSchema, json, `${key} ${classroomId}`))
      .sort(byClassroom);
  }

  async appendMessage(message: ChatMessage): Promise<void> {
    const checked = checkRecord(chatMessageSchema, message, 'chat message');
    await this.#client.rPush(this.#keys.chat(checked.lessonId, checked.classroomId), JSON.stringify(checked));
  }

  async listMessages(lessonId: string, classroomId: string): Promise<ChatMessage[]> {
    const key = this.#keys.chat(lessonId, classroomId);
    const messages = await this.#client.lRange(key, 0, -1);
    return messages
      .map((json, index) => decodeJsonRecord(chatMessageSchema, json, `${key}[${index}]`))
      .sort(byAt);
  }

  async setReadUntil(
    lessonId: string,
    classroomId: string,
    side: 'host' | 'classroom',
    at: number,
  ): Promise<void> {
    const mark = checkRecord(readMarkSchema, { lessonId, classroomId, side, at }, 'read mark');
    await this.#client.hSet(this.#keys.chatRead(mark.lessonId, mark.classroomId), mark.side, String(mark.at));
  }

  async getReadUntil(lessonId: string, classroomId: string, side: 'host' | 'classroom'): Promise<number> {
    const key = this.#keys.chatRead(lessonId, classroomId);
    const value = await this.#client.hGet(key, side);
    return value === null ? 0 : decodeJsonRecord(timeSchema, value, `${key} ${side}`);
  }

  // --- the whiteboard

  async appendBoardOp(lessonId: string, op: Omit<BoardOp, 'seq'>): Promise<number> {
    const checked = checkRecord(boardOpRecordSchema, op, 'board operation');
    return this.#client.appendBoardOp(this.#boardKeys(lessonId), JSON.stringify(checked));
  }

  async readBoardOps(lessonId: string, afterSeq: number): Promise<BoardOp[]> {
    const key = this.#keys.boardOps(lessonId);
    return decodeStreamOps(key, await this.#client.xRange(key, `${afterSeq + 1}-0`, '+'));
  }

  async loadBoard(lessonId: string): Promise<StoredBoard> {
    const keys = this.#boardKeys(lessonId);
    // One MULTI: the snapshot and the log as of one instant, never across a compaction.
    const [fields, entries] = await this.#client
      .multi()
      .hGetAll(keys.snapshot)
      .xRange(keys.ops, '-', '+')
      .exec();
    const json = decodeRecord(z.record(z.string(), z.string()), fields, keys.snapshot)['state'];
    const snapshot =
      json === undefined ? null : decodeJsonRecord(boardSnapshotSchema, json, `${keys.snapshot} state`);
    const ops = decodeStreamOps(keys.ops, entries).filter((op) => op.seq > (snapshot?.seq ?? 0));
    return { snapshot, ops };
  }

  async compactBoard(lessonId: string, snapshot: BoardState): Promise<void> {
    const checked = checkRecord(boardSnapshotSchema, snapshot, 'board snapshot');
    const reply = await this.#client.compactBoard(
      this.#boardKeys(lessonId),
      checked.seq,
      JSON.stringify(checked),
    );
    if (reply === 'beyond-log') {
      throw new InvalidRecordError(`board snapshot at seq ${checked.seq} is beyond the log`);
    }
  }

  #boardKeys(lessonId: string): { ops: string; snapshot: string } {
    return { ops: this.#keys.boardOps(lessonId), snapshot: this.#keys.boardSnapshot(lessonId) };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#client.isReady) await this.#client.close();
    else this.#client.destroy();
  }

  // --- helpers

  async #get<T>(schema: z.ZodType<T>, key: string): Promise<T | undefined> {
    const json = await this.#client.get(key);
    return json === null ? undefined : decodeJsonRecord(schema, json, key);
  }

  /** The records at `keys`, each of which an index (a set, the sorted set) says exists. */
  async #getAll<T>(schema: z.ZodType<T>, keys: string[]): Promise<T[]> {
    if (keys.length === 0) return [];
    const values = await this.#client.mGet(keys);
    return values.map((json, index) => {
      const key = keys[index] ?? '';
      if (json === null) throw new CorruptRecordError(`${key}: listed in its index but missing`);
      return decodeJsonRecord(schema, json, key);
    });
  }

  /** Writes records with a unique index through the put-records script; see putRecordsScript.ts. */
  async #putIndexed<T extends { id: string }>(batch: {
    schema: z.ZodType<T>;
    records: T[];
    set: string;
    recordKey: (id: string) => string;
    indexKey: (record: T) => string;
    conflict: (record: T) => string;
    plainSet: string;
    plain: PutRecords['plain'];
  }): Promise<void> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const recordKeys = batch.records.map((record) => batch.recordKey(record.id));
      const current = recordKeys.length === 0 ? [] : await this.#client.mGet(recordKeys);
      const indexed = batch.records.map((record, index): IndexedRecordWrite => {
        const recordKey = recordKeys[index] ?? '';
        const expected = current[index] ?? undefined;
        const old = expected === undefined ? undefined : decodeJsonRecord(batch.schema, expected, recordKey);
        return {
          id: record.id,
          json: JSON.stringify(record),
          recordKey,
          indexKey: batch.indexKey(record),
          oldIndexKey: old === undefined ? undefined : batch.indexKey(old),
          expected,
        };
      });
      const reply = await this.#client.putRecords({
        indexedSet: batch.set,
        indexed,
        plainSet: batch.plainSet,
        plain: batch.plain,
      });
      if (reply.ok) return;
      if ('conflict' in reply) {
        const record = batch.records[reply.conflict];
        throw new ConflictError(record === undefined ? 'uniqueness conflict' : batch.conflict(record));
      }
      // Another write changed these records since they were read: back off a little (jittered, so two
      // writers that collided do not collide again), read again and retry.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 32)));
    }
    throw new Error(`write gave up: its records kept changing under it ${WRITE_ATTEMPTS} times`);
  }
}

/** A stream entry as XRANGE answers it (checked, as a MULTI's replies are untyped). */
const streamEntries = z.array(z.object({ id: z.string(), message: z.record(z.string(), z.string()) }));

/** The operations of XRANGE entries: the seq is the entry id's first part, the JSON its `op` field. */
function decodeStreamOps(key: string, entries: unknown): BoardOp[] {
  const parsed = streamEntries.safeParse(entries);
  if (!parsed.success) throw new CorruptRecordError(`${key}: not a stream of operations`);
  return parsed.data.map(({ id, message }) => {
    const seq = Number(id.split('-')[0]);
    const json = message['op'];
    if (json === undefined) throw new CorruptRecordError(`${key} ${id}: no op field`);
    return decodeBoardOp(seq, json, `${key} ${id}`);
  });
}

/** A ZRANGE BYSCORE bound; `exclusive` is '(' for an open bound. */
function scoreBound(score: number, exclusive: '' | '('): string {
  if (score === Number.POSITIVE_INFINITY) return '+inf';
  if (score === Number.NEGATIVE_INFINITY) return '-inf';
  return `${exclusive}${score}`;
}
