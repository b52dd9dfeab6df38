/** The live lesson on its own: a real SFU and store, a recorded audience, and a fabric the test plays. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Sfu } from '@cloudschool/sfu';
import { freePortRange } from '@cloudschool/testkit';
import type { Lesson } from '../../src/domain/types.ts';
import { LocalFabric } from '../../src/fabric/Fabric.ts';
import type { Fabric, LessonChange, LessonListener } from '../../src/fabric/Fabric.ts';
import { LiveLesson } from '../../src/lesson/LiveLesson.ts';
import type { LiveLessonDeps } from '../../src/lesson/LiveLesson.ts';
import type { LessonAudience } from '../../src/lesson/LessonViews.ts';
import { SqliteStore } from '../../src/store/SqliteStore.ts';

const log = pino({ level: 'silent' });
const PUSHED = 250;
const settle = (ms = PUSHED): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let dir: string;
let store: SqliteStore;
let sfu: Sfu;
const opened: LiveLesson[] = [];

const record: Lesson = {
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

/** What the lesson pushed, by kind. */
function recorder() {
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
function playedFabric() {
  const told: LessonChange[] = [];
  let hear: LessonListener = () => undefined;
  const fabric: Fabric = {
    ...new LocalFabric('n1'),
    nodeId: 'n1',
    link: async (_lessonId, listener) => {
      hear = listener;
      return { tell: (change) => told.push(change), close: () => undefined };
    },
    recordChanged: () => undefined,
    bring: async () => undefined,
    links: async () => [],
    routes: () => undefined,
    setLoad: () => undefined,
    close: async () => undefined,
  };
  return { fabric, told, fromN2: (change: LessonChange) => hear('n2', change) };
}

async function open(overrides: Partial<LiveLessonDeps> = {}): Promise<LiveLesson> {
  const lesson = await LiveLesson.open(record, {
    sfu,
    store,
    log,
    fabric: new LocalFabric('n1'),
    audience: recorder().audience,
    ...overrides,
  });
  opened.push(lesson);
  return lesson;
}

const page = (
  peerId: string,
  role: 'host' | 'classroom' | 'observer',
  classroomId: string | null = null,
) => ({
  peerId,
  role,
  displayName: peerId,
  classroomId,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cs-live-lesson-'));
  store = await SqliteStore.open(dir);
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
  await store.putLessons([record]);
  sfu = await Sfu.create({
    workerCount: 1,
    listenIp: '127.0.0.1',
    announcedAddress: '127.0.0.1',
    rtcPortBase: await freePortRange(1),
    plainPortRange: { min: 42000, max: 43999 },
    keyFrameRequestDelayMs: 1000,
    logLevel: 'warn',
    logger: log,
  });
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((lesson) => lesson.close()));
});

afterAll(async () => {
  sfu.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('LiveLesson', () => {
  it('opens with the record’s schedule and invitation, and the stage as stored', async () => {
    await store.putStage(record.id, [{ classroomId: 'c2', since: 1, muted: false }]);
    const lesson = await open();
    expect(lesson.info.title).toBe('数学');
    expect(lesson.isInvited('c3')).toBe(true);
    expect(lesson.onStage('c2')).toBe(true);
    await store.putStage(record.id, []);
  });

  it('pushes a coalesced state to the host side, and to classrooms only when what they show changes', async () => {
    const { audience, count } = recorder();
    const lesson = await open({ audience });
    lesson.join(page('h', 'host'));
    for (const c of ['c1', 'c2', 'c3']) lesson.join(page(`p-${c}`, 'classroom', c));
    await settle();
    expect(count('staffState')).toBe(1);
    expect(count('classroomState')).toBe(1);
    expect(lesson.state().classroomCount).toBe(3);
    lesson.leave('p-c3');
    await settle();
    expect(count('staffState')).toBe(2);
    // Classrooms see the host and the main media, not how many others are connected.
    expect(count('classroomState')).toBe(1);
  });

  it('closes when its last page here leaves: the board keeps a final snapshot, observers hear close', async () => {
    const lesson = await open();
    lesson.join(page('h', 'host'));
    await lesson.board.write('host', { type: 'page:add', after: null, background: null });
    let closed = false;
    lesson.observer.once('close', () => (closed = true));
    lesson.leave('h');
    await lesson.close();
    expect(closed).toBe(true);
    expect(lesson.closed).toBe(true);
    expect(lesson.join(page('late', 'classroom', 'c1'))).toBe(false);
    const stored = await store.loadBoard(record.id);
    expect(stored.snapshot?.seq).toBeGreaterThan(0);
    expect(stored.ops).toEqual([]);
  });

  it('is closed once however often close() is called', async () => {
    const lesson = await open();
    let closes = 0;
    lesson.observer.on('close', () => closes++);
    await Promise.all([lesson.close(), lesson.close()]);
    await lesson.close();
    expect(closes).toBe(1);
  });

  it('stops its media for good once the lesson has ended', async () => {
    const lesson = await open();
    lesson.join(page('h', 'host'));
    await expect(lesson.media.rtpCapabilities()).resolves.toBeTruthy();
    await lesson.refresh({ ...record, status: 'ended', endedAt: Date.now() });
    expect(lesson.info.status).toBe('ended');
    await expect(lesson.media.rtpCapabilities()).rejects.toMatchObject({ code: 'lesson_closed' });
  });

  it('tells the other nodes its pages and its board operations', async () => {
    const played = playedFabric();
    const lesson = await open({ fabric: played.fabric });
    lesson.join(page('h', 'host'));
    await lesson.board.write('host', { type: 'page:add', after: null, background: null });
    lesson.leave('h');
    expect(played.told.map((c) => (c.type === 'page' ? `page ${String(c.present)}` : c.type))).toEqual([
      'page true',
      'board',
      'page false',
    ]);
  });

  it('knows the whole lesson from what the other nodes tell', async () => {
    const played = playedFabric();
    const { audience, count } = recorder();
    const lesson = await open({ fabric: played.fabric, audience });
    lesson.join(page('here', 'classroom', 'c1'));
    played.fromN2({ type: 'page', page: page('h', 'host'), present: true });
    played.fromN2({ type: 'page', page: page('there', 'classroom', 'c2'), present: true });
    played.fromN2({
      type: 'track',
      track: { id: 'cam', kind: 'video', source: 'camera', classroomId: null, peerId: 'h' },
      present: true,
    });
    expect(lesson.state().host).toEqual({ connected: true, live: true });
    expect(lesson.state().classroomCount).toBe(2);
    // Pages of another node are not this node's: it neither serves nor closes for them.
    expect(lesson.page('there')).toBeUndefined();
    expect(lesson.localPageCount).toBe(1);
    played.fromN2({
      type: 'track',
      track: { id: 'cam', kind: 'video', source: 'camera', classroomId: null, peerId: 'h' },
      present: false,
    });
    played.fromN2({ type: 'page', page: page('h', 'host'), present: false });
    expect(lesson.state().host).toEqual({ connected: false, live: false });
    await settle();
    expect(count('staffState')).toBeGreaterThan(0);
  });
});
