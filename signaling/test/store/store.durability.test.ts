import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Account, Classroom, Lesson, School } from '../../src/domain/types.ts';
import { RedisStore } from '../../src/store/RedisStore.ts';
import { SQLITE_FILE, SqliteStore } from '../../src/store/SqliteStore.ts';
import type { Store } from '../../src/store/Store.ts';
import { startRedis } from '@cloudschool/testkit';
import type { TestRedis } from '@cloudschool/testkit';

/** What a writer writes and the reopened store must find. */
interface Written {
  schools: School[];
  classrooms: Classroom[];
  lessons: Lesson[];
  account: Account;
}

const HOUR = 60 * 60 * 1000;
const T = Date.UTC(2026, 11, 1, 8, 0);

function written(): Written {
  const schools = Array.from({ length: 20 }, (_, n) => ({
    id: `school-${n}`,
    name: `第${n}中学`,
    province: '贵州省',
    city: '毕节市',
    district: '七星关区',
    timeZone: 'Asia/Shanghai',
  }));
  const classrooms = Array.from({ length: 80 }, (_, n) => ({
    id: `classroom-${n}`,
    schoolId: `school-${n % 20}`,
    name: `初一(${n})班`,
    kind: n === 0 ? ('host' as const) : ('remote' as const),
    notes: '',
    code: `C${n}`,
  }));
  // A weekly series of ten lessons.
  const lessons = Array.from({ length: 10 }, (_, n) => ({
    id: `lesson-${n}`,
    title: '英语',
    subject: 'english',
    grade: '7',
    hostClassroomId: 'classroom-0',
    hostTeacherId: 'account-1',
    startsAt: T + n * 168 * HOUR,
    endsAt: T + n * 168 * HOUR + 45 * 60_000,
    invitedClassroomIds: ['classroom-1', 'classroom-2'],
    seriesId: 'series-1',
    status: 'scheduled' as const,
    startedAt: null,
    endedAt: null,
    createdBy: 'account-1',
    createdAt: T - HOUR,
    updatedAt: T - HOUR,
  }));
  const account = {
    id: 'account-1',
    username: 'zhao',
    displayName: '赵老师',
    role: 'teacher' as const,
    passwordHash: 'scrypt$x$y',
    createdAt: T - HOUR,
  };
  return { schools, classrooms, lessons, account };
}

async function expectAllThere(store: Store, data: Written): Promise<void> {
  expect(await store.listSchools()).toHaveLength(data.schools.length);
  expect(await store.getSchool('school-7')).toEqual(data.schools[7]);
  expect(await store.listClassrooms()).toHaveLength(data.classrooms.length);
  expect(await store.getClassroomByCode('C42')).toEqual(data.classrooms[42]);
  expect(await store.getAccountByUsername('zhao')).toEqual(data.account);
  const all = await store.listLessons({ from: T - HOUR, to: T + 10 * 168 * HOUR });
  expect(all).toEqual(data.lessons);
}

/**
 * The child process that writes to the SQLite store. Node 24 runs SqliteStore.ts directly (type stripping);
 * the child reports once every write has resolved, then idles until it is killed.
 */
const WRITER = `
import { readFile } from 'node:fs/promises';
const [storeModule, dataDir, dataFile] = process.argv.slice(2);
const { SqliteStore } = await import(storeModule);
const data = JSON.parse(await readFile(dataFile, 'utf8'));
const store = await SqliteStore.open(dataDir);
await store.importRoster(data.schools, data.classrooms);
await store.putLessons(data.lessons);
await store.putAccount(data.account);
await store.getOrCreateSecret('join-token', () => 'secret-from-the-child');
process.stdout.write('written\\n');
setInterval(() => undefined, 60_000);
`;

describe('SqliteStore durability', () => {
  let dir: string | undefined;
  let store: Store | undefined;

  afterEach(async () => {
    await store?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('keeps what a process killed with SIGKILL right after its writes had committed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cloudschool-durability-'));
    const dataDir = join(dir, 'data');
    const data = written();
    await writeFile(join(dir, 'data.json'), JSON.stringify(data));
    await writeFile(join(dir, 'writer.mjs'), WRITER);
    const storeModule = new URL('../../src/store/SqliteStore.ts', import.meta.url).href;

    // process.execPath is the Node 24 that runs vitest (a bare `node` in a shell may be older).
    const child = spawn(
      process.execPath,
      [join(dir, 'writer.mjs'), storeModule, dataDir, join(dir, 'data.json')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.once('exit', (code, signal) => resolve(signal ?? code)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('written')) resolve();
      });
      void exit.then((how) => reject(new Error(`writer exited (${String(how)}) before writing:\n${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exit).toBe('SIGKILL');
    // The commits are still in the write-ahead log, not yet checkpointed into the database file.
    expect(existsSync(join(dataDir, `${SQLITE_FILE}-wal`))).toBe(true);

    store = await SqliteStore.open(dataDir);
    await expectAllThere(store, data);
    expect(await store.getOrCreateSecret('join-token', () => 'a-new-one')).toBe('secret-from-the-child');
  });
});

describe('RedisStore durability', () => {
  let redis: TestRedis | undefined;
  const stores: Store[] = [];

  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await redis?.stop();
  });

  it('keeps what it had acknowledged when redis-server is killed with SIGKILL', async () => {
    redis = await startRedis();
    const connectionErrors: Error[] = [];
    const connect = async () => {
      const store = await RedisStore.connect(redis?.url ?? '', 'cs', {
        onError: (error) => connectionErrors.push(error),
      });
      stores.push(store);
      return store;
    };
    const data = written();
    const writer = await connect();
    await writer.importRoster(data.schools, data.classrooms);
    await writer.putLessons(data.lessons);
    await writer.putAccount(data.account);
    await writer.appendAttendance({ lessonId: 'lesson-0', classroomId: 'classroom-1', kind: 'join', at: T });
    await writer.getOrCreateSecret('join-token', () => 'secret-before-the-crash');

    // appendfsync everysec: after a second the AOF is on disk, not only in the OS's cache.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await redis.restart({ kill9: true });

    const reader = await connect();
    await expectAllThere(reader, data);
    expect(await reader.listAttendance('lesson-0')).toHaveLength(1);
    expect(await reader.getOrCreateSecret('join-token', () => 'a-new-one')).toBe('secret-before-the-crash');
    // The writer's connection broke with the server; its client reconnects by itself.
    expect(await writer.getClassroomByCode('C1')).toEqual(data.classrooms[1]);
    expect(connectionErrors.length).toBeGreaterThan(0);
  });
});
