/** The lessons running on a node: opened once, forgotten when they close, opened again cleanly. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LiveLessons } from '../../src/lesson/LiveLessons.ts';
import { LESSON, lessonWorld, page, playedFabric } from '../support/lessonWorld.ts';
import type { LessonWorld } from '../support/lessonWorld.ts';

let world: LessonWorld;
let lessons: LiveLessons;

beforeAll(async () => {
  world = await lessonWorld();
});

afterEach(async () => {
  await lessons.close();
});

afterAll(async () => {
  await world.close();
});

describe('LiveLessons', () => {
  it('opens a lesson once however many pages join at the same time', async () => {
    lessons = new LiveLessons(world.deps());
    const entered = await Promise.all(
      ['c1', 'c2', 'c3'].map((c) => lessons.enter(LESSON, page(`p-${c}`, 'classroom', c))),
    );
    expect(new Set(entered).size).toBe(1);
    expect(lessons.size).toBe(1);
    expect(lessons.pageCount).toBe(3);
  });

  it('forgets a lesson when its last page leaves, and opens it again from the stored board', async () => {
    lessons = new LiveLessons(world.deps());
    const first = await lessons.enter(LESSON, page('h', 'host'));
    await first.board.write('host', { type: 'page:add', after: null, background: null });
    first.leave('h');
    // Entering while the first run still stores its board's final snapshot waits for it.
    const second = await lessons.enter(LESSON, page('h2', 'host'));
    expect(first.closed).toBe(true);
    expect(second).not.toBe(first);
    expect(second.board.state).toEqual(first.board.state);
    expect(lessons.get(LESSON.id)).toBe(second);
  });

  it('lets a running lesson and the other nodes follow a changed record', async () => {
    const played = playedFabric();
    lessons = new LiveLessons(world.deps({ fabric: played.fabric }));
    const lesson = await lessons.enter(LESSON, page('h', 'host'));
    await lessons.recordChanged({ ...LESSON, title: '语文' });
    expect(lesson.info.title).toBe('语文');
    expect(played.changed).toEqual([LESSON.id]);
  });

  it('closes every lesson when the node stops', async () => {
    lessons = new LiveLessons(world.deps());
    const lesson = await lessons.enter(LESSON, page('h', 'host'));
    await lessons.close();
    expect(lesson.closed).toBe(true);
    expect(lessons.size).toBe(0);
  });
});
