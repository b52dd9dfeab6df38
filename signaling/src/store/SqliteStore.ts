import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { SQLOutputValue, StatementSync } from 'node:sqlite';
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
import { prepareLessons, prepareRoster } from './batches.ts';
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
import {
  MAX_LESSON_MS,
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
  voteSchema,
} from './records.ts';
import { migrate } from './sqliteSchema.ts';
import { ConflictError } from './Store.ts';
import type { Store } from './Store.ts';

type Row = Record<string, SQLOutputValue>;

/** The file of the database inside the data directory. */
export const SQLITE_FILE = 'cloudschool.db';

/**
 * The embedded store: one SQLite file (node:sqlite), for a single machine. Every method runs its
 * statements synchronously, so a method is never interleaved with another one of this process; writes
 * of several rows are one `BEGIN IMMEDIATE` transaction, which also orders them against other processes
 * that open the same file.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly #db: DatabaseSync;
  readonly #sql: Statements;
  #closed = false;

  /** Opens (creating it if needed) `<dataDir>/cloudschool.db` and brings its schema up to date. */
  static async open(dataDir: string): Promise<SqliteStore> {
    mkdirSync(dataDir, { recursive: true });
    const db = new DatabaseSync(join(dataDir, SQLITE_FILE));
    try {
      // Wait for another process's write lock instead of failing at once.
      db.exec('PRAGMA busy_timeout = 5000');
      // WAL with synchronous=NORMAL: a commit is appended to the WAL file before the call returns, but
      // fsync happens only at checkpoints. A committed write therefore survives the process being killed
      // (kill -9, a crash: the OS still holds the file's pages); only a power loss or OS crash can lose the
      // last commits, and never corrupts the database.
      const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.['journal_mode'];
      if (mode !== 'wal') throw new Error(`SQLite refused WAL journal mode (got ${String(mode)})`);
      db.exec('PRAGMA synchronous = NORMAL');
      migrate(db);
      return new SqliteStore(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private constructor(db: DatabaseSync) {
    this.#db = db;
    this.#sql = prepareStatements(db);
  }

  // --- roster

  async listSchools(): Promise<School[]> {
    return this.#sql.listSchools
      .all()
      .map((row) => decodeJsonRecord(schoolSchema, dataOf(row, 'schools'), 'schools row'))
      .sort(byId);
  }

  async getSchool(id: string): Promise<School | undefined> {
    const row = this.#sql.getSchool.get(id);
    return row && decodeJsonRecord(schoolSchema, dataOf(row, 'schools'), `schools row ${id}`);
  }

  async putSchool(school: School): Promise<void> {
    this.#transaction(() => this.#writeRoster(prepareRoster([school], [])));
  }

  async listClassrooms(): Promise<Classroom[]> {
    return this.#sql.listClassrooms
      .all()
      .map((row) => decodeJsonRecord(classroomSchema, dataOf(row, 'classrooms'), 'classrooms row'))
      .sort(byId);
  }

  async getClassroom(id: string): Promise<Classroom | undefined> {
    const row = this.#sql.getClassroom.get(id);
    return row && decodeJsonRecord(classroomSchema, dataOf(row, 'classrooms'), `classrooms row ${id}`);
  }

  async getClassroomByCode(code: string): Promise<Classroom | undefined> {
    const row = this.#sql.getClassroomByCode.get(code);
    return row && decodeJsonRecord(classroomSchema, dataOf(row, 'classrooms'), `classrooms row code ${code}`);
  }

  async putClassroom(classroom: Classroom): Promise<void> {
    this.#transaction(() => this.#writeRoster(prepareRoster([], [classroom])));
  }

  async importRoster(schools: School[], classrooms: Classroom[]): Promise<void> {
    const roster = prepareRoster(schools, classrooms);
    this.#transaction(() => this.#writeRoster(roster));
  }

  /** Inside a transaction: checks every code first, then writes; a ConflictError rolls it all back. */
  #writeRoster(roster: { schools: School[]; classrooms: Classroom[] }): void {
    const batch = new Set(roster.classrooms.map((classroom) => classroom.id));
    for (const classroom of roster.classrooms) {
      const owner = this.#sql.classroomIdByCode.get(classroom.code)?.['id'];
      // A code held by a classroom of this batch is given up by it (codes are unique within a batch).
      if (typeof owner === 'string' && owner !== classroom.id && !batch.has(owner)) {
        throw new ConflictError(`classroom code ${classroom.code} belongs to classroom ${owner}`);
      }
    }
    // Delete, then insert: no UNIQUE(code) clash midway when classrooms of the batch swap codes.
    for (const classroom of roster.classrooms) this.#sql.deleteClassroom.run(classroom.id);
    for (const classroom of roster.classrooms) {
      this.#sql.insertClassroom.run(classroom.id, classroom.code, JSON.stringify(classroom));
    }
    for (const school of roster.schools) this.#sql.putSchool.run(school.id, JSON.stringify(school));
  }

  // --- accounts and login sessions

  async listAccounts(): Promise<Account[]> {
    return this.#sql.listAccounts
      .all()
      .map((row) => decodeJsonRecord(accountSchema, dataOf(row, 'accounts'), 'accounts row'))
      .sort(byId);
  }

  async getAccount(id: string): Promise<Account | undefined> {
    const row = this.#sql.getAccount.get(id);
    return row && decodeJsonRecord(accountSchema, dataOf(row, 'accounts'), `accounts row ${id}`);
  }

  async getAccountByUsername(username: string): Promise<Account | undefined> {
    const row = this.#sql.getAccountByUsername.get(username);
    return row && decodeJsonRecord(accountSchema, dataOf(row, 'accounts'), `accounts row ${username}`);
  }

  async putAccount(account: Account): Promise<void> {
    const checked = checkRecord(accountSchema, account, 'account');
    this.#transaction(() => {
      const owner = this.#sql.accountIdByUsername.get(checked.username)?.['id'];
      if (typeof owner === 'string' && owner !== checked.id) {
        throw new ConflictError(`username ${checked.username} belongs to account ${owner}`);
      }
      this.#sql.putAccount.run(checked.id, checked.username, JSON.stringify(checked));
    });
  }

  async putSession(session: Session): Promise<void> {
    const checked = checkRecord(sessionSchema, session, 'session');
    this.#transaction(() => {
      this.#sql.deleteExpiredSessions.run(Date.now());
      this.#sql.putSession.run(checked.id, checked.accountId, checked.expiresAt);
    });
  }

  async getSession(id: string): Promise<Session | undefined> {
    const row = this.#sql.getSession.get(id);
    if (row === undefined) return undefined;
    const session = decodeRecord(
      sessionSchema,
      { id: row['id'], accountId: row['account_id'], expiresAt: row['expires_at'] },
      `sessions row ${id}`,
    );
    if (session.expiresAt > Date.now()) return session;
    this.#sql.deleteSession.run(id);
    return undefined;
  }

  async deleteSession(id: string): Promise<void> {
    this.#sql.deleteSession.run(id);
  }

  // --- lessons

  async getLesson(id: string): Promise<Lesson | undefined> {
    const row = this.#sql.getLesson.get(id);
    return row && decodeJsonRecord(lessonSchema, dataOf(row, 'lessons'), `lessons row ${id}`);
  }

  async putLessons(lessons: Lesson[]): Promise<void> {
    const checked = prepareLessons(lessons);
    this.#transaction(() => {
      for (const lesson of checked) {
        this.#sql.putLesson.run(lesson.id, lesson.startsAt, lesson.endsAt, JSON.stringify(lesson));
      }
    });
  }

  async listLessons(range: { from: number; to: number }): Promise<Lesson[]> {
    // Overlap is starts_at < to AND ends_at > from; as no lesson lasts longer than MAX_LESSON_MS, the
    // starts_at index is scanned only from `from - MAX_LESSON_MS` on.
    return this.#sql.listLessons
      .all(range.from - MAX_LESSON_MS, range.to, range.from)
      .map((row) => decodeJsonRecord(lessonSchema, dataOf(row, 'lessons'), 'lessons row'))
      .sort(byStart);
  }

  // --- attendance and presence

  async appendAttendance(event: AttendanceEvent): Promise<void> {
    const checked = checkRecord(attendanceEventSchema, event, 'attendance event');
    this.#sql.appendAttendance.run(checked.lessonId, checked.classroomId, checked.kind, checked.at);
  }

  async listAttendance(lessonId: string): Promise<AttendanceEvent[]> {
    return this.#sql.listAttendance
      .all(lessonId)
      .map((row) =>
        decodeRecord(
          attendanceEventSchema,
          { lessonId: row['lesson_id'], classroomId: row['classroom_id'], kind: row['kind'], at: row['at'] },
          `attendance row ${String(row['seq'])}`,
        ),
      );
  }

  async putPresence(presence: Presence, ttlMs: number): Promise<void> {
    const checked = checkRecord(presenceSchema, presence, 'presence');
    const ttl = checkTtl(ttlMs);
    this.#transaction(() => {
      // The lesson's presences that had expired by this heartbeat's time are of no more use.
      this.#sql.deleteExpiredPresence.run(checked.lessonId, checked.lastSeen);
      this.#sql.putPresence.run(
        checked.lessonId,
        checked.connectionId,
        checked.classroomId,
        checked.nodeId,
        checked.lastSeen,
        checked.lastSeen + ttl,
      );
    });
  }

  async removePresence(lessonId: string, connectionId: string): Promise<void> {
    this.#sql.removePresence.run(lessonId, connectionId);
  }

  async listPresence(lessonId: string, now: number): Promise<Presence[]> {
    return this.#sql.listPresence
      .all(lessonId, now)
      .map((row) =>
        decodeRecord(
          presenceSchema,
          {
            lessonId: row['lesson_id'],
            classroomId: row['classroom_id'],
            connectionId: row['connection_id'],
            nodeId: row['node_id'],
            lastSeen: row['last_seen'],
          },
          `presence row ${lessonId}`,
        ),
      )
      .sort(byConnection);
  }

  // --- secrets

  async getOrCreateSecret(name: string, create: () => string): Promise<string> {
    const existing = this.#sql.getSecret.get(name);
    if (existing === undefined) this.#sql.insertSecret.run(name, create());
    // Read again: another process may have inserted its own value first, and that one is the secret.
    const value = this.#sql.getSecret.get(name)?.['value'];
    if (typeof value !== 'string') throw new Error(`secret ${name} is missing after it was created`);
    return value;
  }

  // --- the live interaction of a lesson

  async raiseHand(hand: Hand): Promise<boolean> {
    const checked = checkRecord(handSchema, hand, 'hand');
    // ON CONFLICT DO NOTHING: a hand already up keeps its place in the queue.
    const { changes } = this.#sql.raiseHand.run(checked.lessonId, checked.classroomId, checked.raisedAt);
    return Number(changes) > 0;
  }

  async lowerHand(lessonId: string, classroomId: string): Promise<boolean> {
    return Number(this.#sql.lowerHand.run(lessonId, classroomId).changes) > 0;
  }

  async listHands(lessonId: string): Promise<Hand[]> {
    return this.#sql.listHands
      .all(lessonId)
      .map((row) =>
        decodeRecord(
          handSchema,
          { lessonId, classroomId: row['classroom_id'], raisedAt: row['raised_at'] },
          `hands row ${lessonId}`,
        ),
      )
      .sort(byRaisedAt);
  }

  async getStage(lessonId: string): Promise<StageMember[]> {
    const row = this.#sql.getStage.get(lessonId);
    return row === undefined
      ? []
      : decodeJsonRecord(stageSchema, dataOf(row, 'stages'), `stages row ${lessonId}`);
  }

  async putStage(lessonId: string, members: StageMember[]): Promise<void> {
    const checked = checkRecord(stageSchema, members, 'stage');
    if (checked.length === 0) this.#sql.deleteStage.run(lessonId);
    else this.#sql.putStage.run(lessonId, JSON.stringify(checked));
  }

  async putQuestion(question: Question): Promise<void> {
    const checked = checkRecord(questionSchema, question, 'question');
    this.#sql.putQuestion.run(checked.lessonId, checked.id, JSON.stringify(checked));
  }

  async getQuestion(lessonId: string, questionId: string): Promise<Question | undefined> {
    const row = this.#sql.getQuestion.get(lessonId, questionId);
    return row && decodeJsonRecord(questionSchema, dataOf(row, 'questions'), `questions row ${questionId}`);
  }

  async setVote(lessonId: string, questionId: string, classroomId: string, on: boolean): Promise<void> {
    const vote = checkRecord(voteSchema, { lessonId, questionId, classroomId }, 'vote');
    (on ? this.#sql.addVote : this.#sql.removeVote).run(vote.lessonId, vote.questionId, vote.classroomId);
  }

  async listQuestions(lessonId: string): Promise<(Question & { voters: string[] })[]> {
    const voters = new Map<string, string[]>();
    for (const row of this.#sql.listVotes.all(lessonId)) {
      const vote = decodeRecord(
        voteSchema,
        { lessonId, questionId: row['question_id'], classroomId: row['classroom_id'] },
        `question_votes row ${lessonId}`,
      );
      const forQuestion = voters.get(vote.questionId);
      if (forQuestion === undefined) voters.set(vote.questionId, [vote.classroomId]);
      else forQuestion.push(vote.classroomId);
    }
    return this.#sql.listQuestions
      .all(lessonId)
      .map((row) => decodeJsonRecord(questionSchema, dataOf(row, 'questions'), `questions row ${lessonId}`))
      .sort(byCreatedAt)
      .map((question) => ({ ...question, voters: (voters.get(question.id) ?? []).sort(compareStrings) }));
  }

  async putQuiz(quiz: Quiz): Promise<void> {
    const checked = checkRecord(quizSchema, quiz, 'quiz');
    this.#sql.putQuiz.run(checked.lessonId, checked.id, JSON.stringify(checked));
  }

  async getQuiz(lessonId: string, quizId: string): Promise<Quiz | undefined> {
    const row = this.#sql.getQuiz.get(lessonId, quizId);
    return row && decodeJsonRecord(quizSchema, dataOf(row, 'quizzes'), `quizzes row ${quizId}`);
  }

  async listQuizzes(lessonId: string): Promise<Quiz[]> {
    return this.#sql.listQuizzes
      .all(lessonId)
      .map((row) => decodeJsonRecord(quizSchema, dataOf(row, 'quizzes'), `quizzes row ${lessonId}`))
      .sort(byStartedAt);
  }

  async putQuizAnswer(answer: QuizAnswer): Promise<void> {
    const checked = checkRecord(quizAnswerSchema, answer, 'quiz answer');
    this.#sql.putQuizAnswer.run(
      checked.lessonId,
      checked.quizId,
      checked.classroomId,
      JSON.stringify(checked),
    );
  }

  async listQuizAnswers(lessonId: string, quizId: string): Promise<QuizAnswer[]> {
    return this.#sql.listQuizAnswers
      .all(lessonId, quizId)
      .map((row) =>
        decodeJsonRecord(quizAnswerSchema, dataOf(row, 'quiz_answers'), `quiz_answers row ${quizId}`),
      )
      .sort(byClassroom);
  }

  async appendMessage(message: ChatMessage): Promise<void> {
    const checked = checkRecord(chatMessageSchema, message, 'chat message');
    this.#sql.appendMessage.run(checked.lessonId, checked.classroomId, JSON.stringify(checked));
  }

  async listMessages(lessonId: string, classroomId: string): Promise<ChatMessage[]> {
    return this.#sql.listMessages
      .all(lessonId, classroomId)
      .map((row) =>
        decodeJsonRecord(chatMessageSchema, dataOf(row, 'chat_messages'), `chat_messages row ${classroomId}`),
      )
      .sort(byAt);
  }

  async setReadUntil(
    lessonId: string,
    classroomId: string,
    side: 'host' | 'classroom',
    at: number,
  ): Promise<void> {
    const mark = checkRecord(readMarkSchema, { lessonId, classroomId, side, at }, 'read mark');
    this.#sql.setReadUntil.run(mark.lessonId, mark.classroomId, mark.side, mark.at);
  }

  async getReadUntil(lessonId: string, classroomId: string, side: 'host' | 'classroom'): Promise<number> {
    const row = this.#sql.getReadUntil.get(lessonId, classroomId, side);
    if (row === undefined) return 0;
    return decodeRecord(
      readMarkSchema,
      { lessonId, classroomId, side, at: row['at'] },
      `chat_reads row ${classroomId}`,
    ).at;
  }

  // --- the whiteboard

  async appendBoardOp(lessonId: string, op: Omit<BoardOp, 'seq'>): Promise<number> {
    const checked = checkRecord(boardOpRecordSchema, op, 'board operation');
    const json = JSON.stringify(checked);
    let seq = 0;
    this.#transaction(() => {
      seq = this.#boardHead(lessonId) + 1;
      this.#sql.appendBoardOp.run(lessonId, seq, json);
    });
    return seq;
  }

  async readBoardOps(lessonId: string, afterSeq: number): Promise<BoardOp[]> {
    return this.#boardOps(lessonId, afterSeq);
  }

  async loadBoard(lessonId: string): Promise<StoredBoard> {
    // One synchronous read of this process: no compaction of this process runs in between. Another
    // process's compaction is one transaction, and this read's snapshot is taken before its ops.
    this.#db.exec('BEGIN');
    try {
      const row = this.#sql.getBoardSnapshot.get(lessonId);
      const snapshot =
        row === undefined
          ? null
          : decodeJsonRecord(
              boardSnapshotSchema,
              dataOf(row, 'board_snapshots'),
              `board_snapshots row ${lessonId}`,
            );
      const ops = this.#boardOps(lessonId, snapshot?.seq ?? 0);
      return { snapshot, ops };
    } finally {
      this.#db.exec('COMMIT');
    }
  }

  async compactBoard(lessonId: string, snapshot: BoardState): Promise<void> {
    const checked = checkRecord(boardSnapshotSchema, snapshot, 'board snapshot');
    const json = JSON.stringify(checked);
    this.#transaction(() => {
      const head = this.#boardHead(lessonId);
      if (checked.seq > head) {
        throw new InvalidRecordError(`board snapshot at seq ${checked.seq} is beyond the log (${head})`);
      }
      const current = this.#sql.getBoardSnapshotSeq.get(lessonId)?.['seq'];
      if (typeof current === 'number' && current >= checked.seq) return;
      this.#sql.putBoardSnapshot.run(lessonId, checked.seq, json);
      this.#sql.trimBoardOps.run(lessonId, checked.seq);
    });
  }

  #boardHead(lessonId: string): number {
    const row = this.#sql.boardHead.get(lessonId, lessonId);
    const head = row?.['head'];
    return typeof head === 'number' ? head : 0;
  }

  #boardOps(lessonId: string, afterSeq: number): BoardOp[] {
    return this.#sql.readBoardOps.all(lessonId, afterSeq).map((row) => {
      const seq = row['seq'];
      const where = `board_ops row ${lessonId}/${String(seq)}`;
      return decodeBoardOp(typeof seq === 'number' ? seq : -1, dataOf(row, 'board_ops'), where);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #transaction(write: () => void): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      write();
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }
}

const dataRow = z.object({ data: z.string() });

function dataOf(row: Row, table: string): string {
  return decodeRecord(dataRow, row, `${table} row`).data;
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: DatabaseSync) {
  const sql = (text: string): StatementSync => db.prepare(text);
  return {
    listSchools: sql('SELECT data FROM schools'),
    getSchool: sql('SELECT data FROM schools WHERE id = ?'),
    putSchool: sql(
      'INSERT INTO schools (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data',
    ),
    listClassrooms: sql('SELECT data FROM classrooms'),
    getClassroom: sql('SELECT data FROM classrooms WHERE id = ?'),
    getClassroomByCode: sql('SELECT data FROM classrooms WHERE code = ?'),
    classroomIdByCode: sql('SELECT id FROM classrooms WHERE code = ?'),
    deleteClassroom: sql('DELETE FROM classrooms WHERE id = ?'),
    insertClassroom: sql('INSERT INTO classrooms (id, code, data) VALUES (?, ?, ?)'),
    listAccounts: sql('SELECT data FROM accounts'),
    getAccount: sql('SELECT data FROM accounts WHERE id = ?'),
    getAccountByUsername: sql('SELECT data FROM accounts WHERE username = ?'),
    accountIdByUsername: sql('SELECT id FROM accounts WHERE username = ?'),
    putAccount: sql(
      `INSERT INTO accounts (id, username, data) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET username = excluded.username, data = excluded.data`,
    ),
    putSession: sql(
      `INSERT INTO sessions (id, account_id, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, expires_at = excluded.expires_at`,
    ),
    getSession: sql('SELECT id, account_id, expires_at FROM sessions WHERE id = ?'),
    deleteSession: sql('DELETE FROM sessions WHERE id = ?'),
    deleteExpiredSessions: sql('DELETE FROM sessions WHERE expires_at <= ?'),
    getLesson: sql('SELECT data FROM lessons WHERE id = ?'),
    putLesson: sql(
      `INSERT INTO lessons (id, starts_at, ends_at, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at,
         data = excluded.data`,
    ),
    listLessons: sql('SELECT data FROM lessons WHERE starts_at >= ? AND starts_at < ? AND ends_at > ?'),
    appendAttendance: sql('INSERT INTO attendance (lesson_id, classroom_id, kind, at) VALUES (?, ?, ?, ?)'),
    listAttendance: sql(
      'SELECT seq, lesson_id, classroom_id, kind, at FROM attendance WHERE lesson_id = ? ORDER BY seq',
    ),
    putPresence: sql(
      `INSERT INTO presence (lesson_id, connection_id, classroom_id, node_id, last_seen, expires_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (lesson_id, connection_id) DO UPDATE SET classroom_id = excluded.classroom_id,
         node_id = excluded.node_id, last_seen = excluded.last_seen, expires_at = excluded.expires_at`,
    ),
    deleteExpiredPresence: sql('DELETE FROM presence WHERE lesson_id = ? AND expires_at <= ?'),
    removePresence: sql('DELETE FROM presence WHERE lesson_id = ? AND connection_id = ?'),
    listPresence: sql(
      `SELECT lesson_id, connection_id, classroom_id, node_id, last_seen FROM presence
       WHERE lesson_id = ? AND expires_at > ?`,
    ),
    getSecret: sql('SELECT value FROM secrets WHERE name = ?'),
    insertSecret: sql('INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),
    raiseHand: sql(
      'INSERT INTO hands (lesson_id, classroom_id, raised_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    lowerHand: sql('DELETE FROM hands WHERE lesson_id = ? AND classroom_id = ?'),
    listHands: sql('SELECT classroom_id, raised_at FROM hands WHERE lesson_id = ?'),
    getStage: sql('SELECT data FROM stages WHERE lesson_id = ?'),
    putStage: sql(
      'INSERT INTO stages (lesson_id, data) VALUES (?, ?) ON CONFLICT (lesson_id) DO UPDATE SET data = excluded.data',
    ),
    deleteStage: sql('DELETE FROM stages WHERE lesson_id = ?'),
    putQuestion: sql(
      `INSERT INTO questions (lesson_id, id, data) VALUES (?, ?, ?)
       ON CONFLICT (lesson_id, id) DO UPDATE SET data = excluded.data`,
    ),
    getQuestion: sql('SELECT data FROM questions WHERE lesson_id = ? AND id = ?'),
    listQuestions: sql('SELECT data FROM questions WHERE lesson_id = ?'),
    addVote: sql(
      `INSERT INTO question_votes (lesson_id, question_id, classroom_id) VALUES (?, ?, ?)
       ON CONFLICT DO NOTHING`,
    ),
    removeVote: sql(
      'DELETE FROM question_votes WHERE lesson_id = ? AND question_id = ? AND classroom_id = ?',
    ),
    listVotes: sql('SELECT question_id, classroom_id FROM question_votes WHERE lesson_id = ?'),
    putQuiz: sql(
      `INSERT INTO quizzes (lesson_id, id, data) VALUES (?, ?, ?)
       ON CONFLICT (lesson_id, id) DO UPDATE SET data = excluded.data`,
    ),
    getQuiz: sql('SELECT data FROM quizzes WHERE lesson_id = ? AND id = ?'),
    listQuizzes: sql('SELECT data FROM quizzes WHERE lesson_id = ?'),
    putQuizAnswer: sql(
      `INSERT INTO quiz_answers (lesson_id, quiz_id, classroom_id, data) VALUES (?, ?, ?, ?)
       ON CONFLICT (lesson_id, quiz_id, classroom_id) DO UPDATE SET data = excluded.data`,
    ),
    listQuizAnswers: sql('SELECT data FROM quiz_answers WHERE lesson_id = ? AND quiz_id = ?'),
    appendMessage: sql('INSERT INTO chat_messages (lesson_id, classroom_id, data) VALUES (?, ?, ?)'),
    listMessages: sql('SELECT data FROM chat_messages WHERE lesson_id = ? AND classroom_id = ? ORDER BY seq'),
    setReadUntil: sql(
      `INSERT INTO chat_reads (lesson_id, classroom_id, side, at) VALUES (?, ?, ?, ?)
       ON CONFLICT (lesson_id, classroom_id, side) DO UPDATE SET at = excluded.at`,
    ),
    getReadUntil: sql('SELECT at FROM chat_reads WHERE lesson_id = ? AND classroom_id = ? AND side = ?'),
    boardHead: sql(
      `SELECT MAX(
         COALESCE((SELECT MAX(seq) FROM board_ops WHERE lesson_id = ?), 0),
         COALESCE((SELECT seq FROM board_snapshots WHERE lesson_id = ?), 0)
       ) AS head`,
    ),
    appendBoardOp: sql('INSERT INTO board_ops (lesson_id, seq, data) VALUES (?, ?, ?)'),
    readBoardOps: sql('SELECT seq, data FROM board_ops WHERE lesson_id = ? AND seq > ? ORDER BY seq'),
    getBoardSnapshot: sql('SELECT data FROM board_snapshots WHERE lesson_id = ?'),
    getBoardSnapshotSeq: sql('SELECT seq FROM board_snapshots WHERE lesson_id = ?'),
    putBoardSnapshot: sql(
      `INSERT INTO board_snapshots (lesson_id, seq, data) VALUES (?, ?, ?)
       ON CONFLICT (lesson_id) DO UPDATE SET seq = excluded.seq, data = excluded.data`,
    ),
    trimBoardOps: sql('DELETE FROM board_ops WHERE lesson_id = ? AND seq <= ?'),
  };
}
