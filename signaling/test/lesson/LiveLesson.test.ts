/** The live lesson on its own: a real SFU and store, a recorded audience, and a fabric the test plays. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LiveLesson } from '../../src/lesson/LiveLesson.ts';
import type { LiveLessonDeps } from '../../src/lesson/LiveLesson.ts';
import { LESSON as record, lessonWorld, page, playedFabric, recorder } from '../support/lessonWorld.ts';
import type { LessonWorld } from '../support/lessonWorld.ts';

const settle = (ms = 250): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let world: LessonWorld;
const opened: LiveLesson[] = [];

async function open(overrides: Partial<LiveLessonDeps> = {}): Promise<LiveLesson> {
  const lesson = await LiveLesson.open(record, world.deps(overrides));
  opened.push(lesson);
  return lesson;
}

beforeAll(async () => {
  world = await lessonWorld();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((lesson) => lesson.close()));
});

afterAll(async () => {
  await world.close();
});

describe('LiveLesson', () => {
  it('opens with the record’s schedule and invitation, and the stage as stored', async () => {
    await world.store.putStage(record.id, [{ classroomId: 'c2', since: 1, muted: false }]);
    const lesson = await open();
    expect(lesson.info.title).toBe('数学');
    expect(lesson.isInvited('c3')).toBe(true);
    expect(lesson.onStage('c2')).toBe(true);
    await world.store.putStage(record.id, []);
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
    const stored = await world.store.loadBoard(record.id);
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
