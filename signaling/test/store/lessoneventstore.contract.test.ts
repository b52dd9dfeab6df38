import { beforeEach, describe, expect, it } from 'vitest';
import type { LessonEvent } from '../../src/store/entities/lessonEvents.ts';
import { InvalidRecordError } from '../../src/store/records.ts';
import type { Store } from '../../src/store/Store.ts';
import { storeFactories, storePerTest } from '../support/stores.ts';

const event = (more: Partial<LessonEvent> = {}): LessonEvent => ({
  lessonId: 'lesson-1',
  at: 1_000,
  kind: 'hand:up',
  subject: 'c1',
  value: null,
  ...more,
});

describe.each(storeFactories())('$name lesson event store contract', (factory) => {
  const suite = storePerTest(factory);
  let store: Store;

  beforeEach(() => {
    store = suite.store;
  });

  it("keeps a lesson's events in the order appended, per lesson, after a reopen", async () => {
    expect(await store.listLessonEvents('lesson-1')).toEqual([]);
    const events = [
      event(),
      event({ at: 2_000, kind: 'stage:on' }),
      event({ at: 2_000, kind: 'layout', subject: null, value: 'screen' }),
      event({ at: 3_000, kind: 'question:mark', subject: 'q1', value: 'answered' }),
    ];
    for (const e of events) await store.appendLessonEvent(e);
    await store.appendLessonEvent(event({ lessonId: 'lesson-2', kind: 'quiz:reveal', subject: 'z1' }));
    expect(await store.listLessonEvents('lesson-1')).toEqual(events);
    const again = await suite.open();
    expect(await again.listLessonEvents('lesson-1')).toEqual(events);
    expect(await again.listLessonEvents('lesson-2')).toEqual([
      event({ lessonId: 'lesson-2', kind: 'quiz:reveal', subject: 'z1' }),
    ]);
  });

  it('refuses an event of an unknown kind or with a bad time, and keeps nothing of it', async () => {
    await expect(
      store.appendLessonEvent({ ...event(), kind: 'dance' } as unknown as LessonEvent),
    ).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(store.appendLessonEvent(event({ at: 1.5 }))).rejects.toBeInstanceOf(InvalidRecordError);
    expect(await store.listLessonEvents('lesson-1')).toEqual([]);
  });
});
