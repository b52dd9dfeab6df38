/** A live lesson's world for unit tests: a real SFU (one worker) and store, a roster and a lesson record. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Sfu } from '@cloudschool/sfu';
import { testSfu } from '@cloudschool/sfu/testing';
import type { Lesson } from '../../src/domain/types.ts';
import { LocalFabric } from '../../src/fabric/Fabric.ts';
import type { Fabric, LessonChange, LessonListener, PageInfo } from '../../src/fabric/Fabric.ts';
import type { LiveLessonDeps } from '../../src/lesson/LiveLesson.ts';
import type { LessonAudience } from '../../src/lesson/LessonViews.ts';
import { SqliteStore } from '../../src/store/SqliteStore.ts';

export const LESSON: Lesson = {
  id: 'lesson-1',
  title: '数学',
  subject: '数学',
  grade: '六年级',
  hostClassroomId: 'host-room',
  hostTeacherId: 'teacher',
  startsAt: Date.now() - 60_000,
  endsAt: Date.now() + 3_600_000,
  invitedClassroomIds: ['c1', 'c2', 'c3'],
  seriesId: null,
  status: 'live',
  startedAt: Date.now() - 30_000,
  endedAt: null,
  createdBy: 'coordinator',
  createdAt: Date.now() - 86_400_000,
  updatedAt: Date.now() - 86_400_000,
};

export interface LessonWorld {
  store: SqliteStore;
  sfu: Sfu;
  /** What a LiveLesson needs, alone on node n1, pushing nowhere unless told otherwise. */
  deps(overrides?: Partial<LiveLessonDeps>): LiveLessonDeps;
  close(): Promise<void>;
}

export async function lessonWorld(): Promise<LessonWorld> {
  const log = pino({ level: 'silent' });
  const dir = await mkdtemp(join(tmpdir(), 'cs-live-lesson-'));
  const store = await SqliteStore.open(dir);
  await store.importRoster(
    [{ id: 's1', name: '一小', province: '四川', city: '凉山', district: '昭觉', timeZone: 'Asia/Shanghai' }],
    ['host-room', 'c1', 'c2', 'c3'].map((id, i) => ({
      id,
      schoolId: 's1',
      name: `${i}班`,
      kind: i === 0 ? ('host' as const) : ('remote' as const),
      notes: '',
      code: `CODE0${i}`,
    })),
  );
  await store.putLessons([LESSON]);
  const sfu = await testSfu(1, { logger: log });
  return {
    store,
    sfu,
    deps: (overrides = {}) => ({
      sfu,
      store,
      log,
      fabric: new LocalFabric('n1'),
      audience: recorder().audience,
      ...overrides,
    }),
    close: async () => {
      sfu.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What a lesson pushed, by kind. */
export function recorder() {
  const calls: { kind: keyof LessonAudience; args: unknown[] }[] = [];
  const audience = new Proxy({} as LessonAudience, {
    get:
      (_target, kind: keyof LessonAudience) =>
      (...args: unknown[]) =>
        calls.push({ kind, args }),
  });
  return {
    audience,
    count: (kind: keyof LessonAudience) => calls.filter((c) => c.kind === kind).length,
    calls,
  };
}

/** A fabric the test speaks for: it hears what the lesson tells, and tells it what "node n2" does. */
export function playedFabric() {
  const told: LessonChange[] = [];
  const changed: string[] = [];
  let hear: LessonListener = () => undefined;
  const fabric: Fabric = {
    nodeId: 'n1',
    link: async (_lessonId, listener) => {
      hear = listener;
      return { tell: (change) => told.push(change), close: () => undefined };
    },
    recordChanged: (lessonId) => changed.push(lessonId),
    bring: async () => undefined,
    links: async () => [],
    shareWall: () => undefined,
    onWall: () => undefined,
    routes: () => undefined,
    setLoad: () => undefined,
    close: async () => undefined,
  };
  return { fabric, told, changed, fromN2: (change: LessonChange) => hear('n2', change) };
}

export const page = (
  peerId: string,
  role: PageInfo['role'],
  classroomId: string | null = null,
): PageInfo => ({ peerId, role, displayName: peerId, classroomId });
