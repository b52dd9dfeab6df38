import { beforeEach, describe, expect, it } from 'vitest';
import type { LessonAlert } from '../../src/store/entities/alerts.ts';
import { InvalidRecordError } from '../../src/store/records.ts';
import type { Store } from '../../src/store/Store.ts';
import { storeFactories, storePerTest } from '../support/stores.ts';

const alert = (more: Partial<LessonAlert> = {}): LessonAlert => ({
  lessonId: 'lesson-1',
  key: 'absent/c1/1000',
  kind: 'absent',
  classroomId: 'c1',
  since: 1000,
  endedAt: null,
  ...more,
});

describe.each(storeFactories())('$name alert store contract', (factory) => {
  const suite = storePerTest(factory);
  let store: Store;

  beforeEach(() => {
    store = suite.store;
  });

  it('keeps each alert once, its end written over its start, oldest first, per lesson', async () => {
    expect(await store.listLessonAlerts('lesson-1')).toEqual([]);
    const host = alert({ key: 'host_offline/-/500', kind: 'host_offline', classroomId: null, since: 500 });
    await store.putLessonAlerts('lesson-1', [alert(), host]);
    await store.putLessonAlerts('lesson-1', [alert({ endedAt: 9000 })]);
    await store.putLessonAlerts('lesson-2', [alert({ lessonId: 'lesson-2' })]);
    expect(await store.listLessonAlerts('lesson-1')).toEqual([host, alert({ endedAt: 9000 })]);
    const again = await suite.open();
    expect(await again.listLessonAlerts('lesson-2')).toEqual([alert({ lessonId: 'lesson-2' })]);
  });

  it('refuses an alert of another lesson, or a bad one, and changes nothing', async () => {
    await expect(store.putLessonAlerts('lesson-1', [alert({ lessonId: 'lesson-2' })])).rejects.toBeInstanceOf(
      InvalidRecordError,
    );
    await expect(
      store.putLessonAlerts('lesson-1', [alert(), alert({ key: 'x', kind: 'nope' as never })]),
    ).rejects.toBeInstanceOf(InvalidRecordError);
    expect(await store.listLessonAlerts('lesson-1')).toEqual([]);
  });
});
