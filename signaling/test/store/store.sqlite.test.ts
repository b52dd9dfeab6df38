import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { SQLITE_FILE, SqliteStore } from '../../src/store/SqliteStore.ts';
import { SCHEMA_VERSION, SchemaTooNewError } from '../../src/store/sqlite/schema.ts';

/** What only SqliteStore has: its schema migrations. The rest is in the contract suites. */
describe('SqliteStore schema', () => {
  let dir: string | undefined;

  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** Runs `change` on the database file while no store has it open. */
  function withDatabase(change: (db: DatabaseSync) => void): void {
    const db = new DatabaseSync(join(dir ?? '', SQLITE_FILE));
    try {
      change(db);
    } finally {
      db.close();
    }
  }

  it('brings a version 1 database (before the interaction tables) up to date, keeping its records', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudschool-schema-'));
    const school = {
      id: 's1',
      name: 'S',
      province: 'P',
      city: 'C',
      district: 'D',
      timeZone: 'Asia/Shanghai',
    };
    const first = await SqliteStore.open(dir);
    await first.putSchool(school);
    await first.close();
    // Back to what version 1 of the code wrote: no interaction tables.
    withDatabase((db) => {
      for (const table of [
        'hands',
        'stages',
        'questions',
        'question_votes',
        'quizzes',
        'quiz_answers',
        'chat_messages',
        'chat_reads',
      ]) {
        db.exec(`DROP TABLE ${table}`);
      }
      db.exec('PRAGMA user_version = 1');
    });

    const store = await SqliteStore.open(dir);
    expect(await store.getSchool('s1')).toEqual(school);
    expect(await store.raiseHand({ lessonId: 'l1', classroomId: 'c1', raisedAt: 1 })).toBe(true);
    expect(await store.listHands('l1')).toEqual([{ lessonId: 'l1', classroomId: 'c1', raisedAt: 1 }]);
    await store.close();
    withDatabase((db) => {
      expect(db.prepare('PRAGMA user_version').get()?.['user_version']).toBe(SCHEMA_VERSION);
    });
  });

  it('keeps its directory to the user that runs it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cs-sqlite-'));
    const store = await SqliteStore.open(join(dir, 'data'));
    await store.close();
    expect((await stat(join(dir, 'data'))).mode & 0o777).toBe(0o700);
  });

  it('refuses a database of a newer version', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudschool-schema-'));
    await (await SqliteStore.open(dir)).close();
    withDatabase((db) => db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`));
    await expect(SqliteStore.open(dir)).rejects.toBeInstanceOf(SchemaTooNewError);
  });
});
