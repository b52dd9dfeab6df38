import { beforeEach, describe, expect, it } from 'vitest';
import type { Recording } from '../../src/store/entities/recordings.ts';
import { InvalidRecordError } from '../../src/store/records.ts';
import type { Store } from '../../src/store/Store.ts';
import { storeFactories, storePerTest } from '../support/stores.ts';

describe.each(storeFactories())('$name recording store contract', (factory) => {
  const suite = storePerTest(factory);
  let store: Store;

  beforeEach(() => {
    store = suite.store;
  });

  const recording = (over: Partial<Recording> = {}): Recording => ({
    id: 'r1',
    lessonId: 'lesson-1',
    nodeId: 'node-a',
    startedAt: 1_000,
    endedAt: null,
    status: 'recording',
    ...over,
  });

  it("lists a lesson's recordings oldest first, and a node's open ones until they end", async () => {
    expect(await store.listRecordings('lesson-1')).toEqual([]);
    await store.putRecording(recording({ id: 'r2', startedAt: 5_000 }));
    await store.putRecording(recording());
    await store.putRecording(recording({ id: 'r3', lessonId: 'lesson-2', nodeId: 'node-b' }));
    expect((await store.listRecordings('lesson-1')).map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(await store.getRecording('lesson-1', 'r2')).toEqual(recording({ id: 'r2', startedAt: 5_000 }));
    expect(await store.getRecording('lesson-2', 'r1')).toBeUndefined();
    expect(await store.listOpenRecordings('node-a')).toEqual([
      { nodeId: 'node-a', recordingId: 'r1', lessonId: 'lesson-1' },
      { nodeId: 'node-a', recordingId: 'r2', lessonId: 'lesson-1' },
    ]);

    await store.putRecording(recording({ endedAt: 9_000, status: 'complete' }));
    expect(await store.getRecording('lesson-1', 'r1')).toEqual(
      recording({ endedAt: 9_000, status: 'complete' }),
    );
    expect((await store.listOpenRecordings('node-a')).map((o) => o.recordingId)).toEqual(['r2']);
    expect((await store.listOpenRecordings('node-b')).map((o) => o.recordingId)).toEqual(['r3']);
  });

  it("keeps a recording's segments in time order, and everything when opened again", async () => {
    await store.putRecording(recording());
    const segment = { recordingId: 'r1', run: 0, file: 'r0-00001.webm', startedAt: 5_000, durationMs: 4_000 };
    await store.appendRecordingSegment(segment);
    await store.appendRecordingSegment({ ...segment, file: 'r0-00000.webm', startedAt: 1_000 });
    await store.appendRecordingSegment({ ...segment, recordingId: 'r9' });
    const again = await suite.open();
    expect((await again.listRecordingSegments('r1')).map((s) => s.file)).toEqual([
      'r0-00000.webm',
      'r0-00001.webm',
    ]);
    expect(await again.listRecordingSegments('r1')).toContainEqual(segment);
    expect((await again.listOpenRecordings('node-a')).map((o) => o.recordingId)).toEqual(['r1']);
  });

  it('refuses a segment file outside its directory, or an unknown status, and writes nothing', async () => {
    await expect(
      store.appendRecordingSegment({
        recordingId: 'r1',
        run: 0,
        file: '../../etc/passwd',
        startedAt: 1,
        durationMs: 1,
      }),
    ).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(
      store.putRecording({ ...recording(), status: 'paused' as Recording['status'] }),
    ).rejects.toBeInstanceOf(InvalidRecordError);
    expect(await store.listRecordingSegments('r1')).toEqual([]);
    expect(await store.listRecordings('lesson-1')).toEqual([]);
    expect(await store.listOpenRecordings('node-a')).toEqual([]);
  });
});
