import type { DatabaseSync } from 'node:sqlite';

/**
 * The schema of SqliteStore's database, versioned by `PRAGMA user_version`. MIGRATIONS[v] takes a database
 * from version v to v + 1; a new version is a new entry at the end, never an edit of an old one.
 *
 * Each table is the one its entity declares (entities/: the table, the columns, what the `data` column
 * holds). Records are JSON in a `data` column; what a query filters or orders on, or what a uniqueness rule
 * covers, is a real column beside it. Times are INTEGER epoch milliseconds.
 */
const MIGRATIONS: readonly string[] = [
  // 0 → 1
  `
  CREATE TABLE schools (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL
  ) STRICT;
  CREATE TABLE classrooms (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL
  ) STRICT;
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL
  ) STRICT;
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX sessions_by_expiry ON sessions (expires_at);
  CREATE TABLE lessons (
    id TEXT PRIMARY KEY,
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX lessons_by_start ON lessons (starts_at);
  CREATE TABLE attendance (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    lesson_id TEXT NOT NULL,
    classroom_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX attendance_by_lesson ON attendance (lesson_id, seq);
  CREATE TABLE presence (
    lesson_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    classroom_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    last_seen INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (lesson_id, connection_id)
  ) STRICT;
  CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  `,
  // 1 → 2: the live interaction of a lesson (RoomStore). Every table is keyed by lesson first, so the
  // primary keys serve the per-lesson lists.
  `
  CREATE TABLE hands (
    lesson_id TEXT NOT NULL,
    classroom_id TEXT NOT NULL,
    raised_at INTEGER NOT NULL,
    PRIMARY KEY (lesson_id, classroom_id)
  ) STRICT;
  CREATE TABLE stages (
    lesson_id TEXT PRIMARY KEY,
    data TEXT NOT NULL
  ) STRICT;
  CREATE TABLE questions (
    lesson_id TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (lesson_id, id)
  ) STRICT;
  CREATE TABLE question_votes (
    lesson_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    classroom_id TEXT NOT NULL,
    PRIMARY KEY (lesson_id, question_id, classroom_id)
  ) STRICT;
  CREATE TABLE quizzes (
    lesson_id TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (lesson_id, id)
  ) STRICT;
  CREATE TABLE quiz_answers (
    lesson_id TEXT NOT NULL,
    quiz_id TEXT NOT NULL,
    classroom_id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (lesson_id, quiz_id, classroom_id)
  ) STRICT;
  CREATE TABLE chat_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    lesson_id TEXT NOT NULL,
    classroom_id TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX chat_messages_by_classroom ON chat_messages (lesson_id, classroom_id, seq);
  CREATE TABLE chat_reads (
    lesson_id TEXT NOT NULL,
    classroom_id TEXT NOT NULL,
    side TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (lesson_id, classroom_id, side)
  ) STRICT;
  `,
  // 2 → 3: the whiteboard (BoardStore): each lesson's operation log, keyed by (lesson, seq), and its
  // latest snapshot. The next seq is one more than the highest of the log and the snapshot. IF NOT EXISTS:
  // store.sqlite.test.ts fakes an old database by dropping only the tables of the versions it knows.
  `
  CREATE TABLE IF NOT EXISTS board_ops (
    lesson_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (lesson_id, seq)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS board_snapshots (
    lesson_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  `,
  // 3 → 4: how long each classroom's media got through at each level (QualityStore).
  `
  CREATE TABLE IF NOT EXISTS quality_times (
    lesson_id TEXT NOT NULL,
    classroom_id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (lesson_id, classroom_id)
  ) STRICT;
  `,
  // 4 → 5: the PCs each classroom admitted (DeviceStore).
  `
  CREATE TABLE IF NOT EXISTS devices (
    classroom_id TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (classroom_id, id)
  ) STRICT;
  `,
  // 5 → 6: what is known of each login, per account (AccountStore); attempt counters (LimitStore),
  // refused until not_before and forgotten at expires_at; the audit log (AuditStore), paged newest first
  // by (at, seq), of all kinds or of one.
  `
  CREATE TABLE IF NOT EXISTS logins (
    account_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (account_id, session_id)
  ) STRICT;
  CREATE INDEX IF NOT EXISTS logins_by_expiry ON logins (expires_at);
  CREATE TABLE IF NOT EXISTS attempts (
    counter_key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    not_before INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS attempts_by_expiry ON attempts (expires_at);
  CREATE TABLE IF NOT EXISTS audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS audit_by_time ON audit_log (at, seq);
  CREATE INDEX IF NOT EXISTS audit_by_kind ON audit_log (kind, at, seq);
  `,
  // 6 → 7: lesson recordings (RecordingStore), the ones each node is writing, and their segment files.
  `
  CREATE TABLE IF NOT EXISTS recordings (
    lesson_id TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (lesson_id, id)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS open_recordings (
    node_id TEXT NOT NULL,
    recording_id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (node_id, recording_id)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS recording_segments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    recording_id TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS recording_segments_by_recording ON recording_segments (recording_id, seq);
  `,
  // 7 → 8: the wall's alerts of each lesson (AlertStore).
  `
  CREATE TABLE IF NOT EXISTS lesson_alerts (
    lesson_id TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (lesson_id, key)
  ) STRICT;
  `,
  // 8 → 9: a lesson's timeline for its replay: the board operations compaction moves out of board_ops
  // (BoardStore.readBoardHistory), and the events no other record keeps with a time (LessonEventStore).
  `
  CREATE TABLE IF NOT EXISTS board_history (
    lesson_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (lesson_id, seq)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS lesson_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    lesson_id TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS lesson_events_by_lesson ON lesson_events (lesson_id, seq);
  `,
];

/** The version this code reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** A database written by a newer version of CloudSchool: this code must not touch it. */
export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
}

/**
 * Brings the database to SCHEMA_VERSION, one transaction per step. The version is read again inside the
 * write lock, so two processes opening a new database at once migrate it once.
 */
export function migrate(db: DatabaseSync): void {
  for (;;) {
    db.exec('BEGIN IMMEDIATE');
    try {
      const version = userVersion(db);
      if (version > SCHEMA_VERSION) {
        throw new SchemaTooNewError(
          `database schema version ${version} is newer than this code's ${SCHEMA_VERSION}`,
        );
      }
      const step = MIGRATIONS[version];
      if (step === undefined) {
        db.exec('COMMIT');
        return;
      }
      db.exec(step);
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}

function userVersion(db: DatabaseSync): number {
  const version = db.prepare('PRAGMA user_version').get()?.['user_version'];
  if (typeof version !== 'number') throw new Error('PRAGMA user_version returned no number');
  return version;
}
