import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../src/store/records.ts';
import type { Store } from '../../src/store/Store.ts';
import { storeFactories, storePerTest } from '../support/stores.ts';

describe.each(storeFactories())('$name quality store contract', (factory) => {
  const suite = storePerTest(factory);
  let store: Store;

  beforeEach(() => {
    store = suite.store;
  });

  it('starts with nothing, then sums the time each classroom spent at each level', async () => {
    expect(await store.listQualityTimes('lesson-1')).toEqual([]);
    await store.addQualityTime('lesson-1', 'c2', { good: 5000 });
    await store.addQualityTime('lesson-1', 'c1', { good: 5000, poor: 1000 });
    await store.addQualityTime('lesson-1', 'c1', { poor: 4000.4, bad: 2000 });
    await store.addQualityTime('lesson-2', 'c1', { fair: 7000 });
    expect(await store.listQualityTimes('lesson-1')).toEqual([
      { lessonId: 'lesson-1', classroomId: 'c1', goodMs: 5000, fairMs: 0, poorMs: 5000, badMs: 2000 },
      { lessonId: 'lesson-1', classroomId: 'c2', goodMs: 5000, fairMs: 0, poorMs: 0, badMs: 0 },
    ]);
    expect(await store.listQualityTimes('lesson-2')).toEqual([
      { lessonId: 'lesson-2', classroomId: 'c1', goodMs: 0, fairMs: 7000, poorMs: 0, badMs: 0 },
    ]);
  });

  it('keeps the totals when it is opened again', async () => {
    await store.addQualityTime('lesson-1', 'c1', { fair: 1500 });
    const again = await suite.open();
    expect(await again.listQualityTimes('lesson-1')).toEqual([
      { lessonId: 'lesson-1', classroomId: 'c1', goodMs: 0, fairMs: 1500, poorMs: 0, badMs: 0 },
    ]);
  });

  it('refuses a negative time and changes nothing', async () => {
    await store.addQualityTime('lesson-1', 'c1', { good: 1000 });
    await expect(store.addQualityTime('lesson-1', 'c1', { good: -5000 })).rejects.toBeInstanceOf(
      InvalidRecordError,
    );
    expect((await store.listQualityTimes('lesson-1'))[0]?.goodMs).toBe(1000);
  });
});
