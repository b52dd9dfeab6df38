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

  it('deletes an ended recording and its segments, refuses one being made, and keeps the others', async () => {
    await store.putRecording(recording({ endedAt: 9_000, status: 'complete' }));
    await store.putRecording(recording({ id: 'r2', startedAt: 5_000 }));
    const segment = { recordingId: 'r1', run: 0, file: 'r0-00000.webm', startedAt: 1_000, durationMs: 4_000 };
    await store.appendRecordingSegment({ ...segment, bytes: 512_000 });
    await store.appendRecordingSegment({ ...segment, recordingId: 'r2' });

    expect(await store.deleteRecording('lesson-1', 'r1')).toBe(true);
    expect(await store.deleteRecording('lesson-1', 'r1')).toBe(false);
    await expect(store.deleteRecording('lesson-1', 'r2')).rejects.toBeInstanceOf(InvalidRecordError);

    const again = await suite.open();
    expect(await again.getRecording('lesson-1', 'r1')).toBeUndefined();
    expect(await again.listRecordingSegments('r1')).toEqual([]);
    expect((await again.listRecordings('lesson-1')).map((r) => r.id)).toEqual(['r2']);
    expect(await again.listRecordingSegments('r2')).toEqual([{ ...segment, recordingId: 'r2' }]);
    expect((await again.listOpenRecordings('node-a')).map((o) => o.recordingId)).toEqual(['r2']);
  });

  it('keeps a segment’s size when it has one', async () => {
    const segment = { recordingId: 'r1', run: 0, file: 'r0-00000.webm', startedAt: 1, durationMs: 4_000 };
    await store.appendRecordingSegment({ ...segment, bytes: 750_000 });
    expect(await store.listRecordingSegments('r1')).toEqual([{ ...segment, bytes: 750_000 }]);
  });

  it('keeps the retention setting beside the secrets, replaced as a whole, and refuses a bad one', async () => {
    expect(await store.getRecordingRetention()).toBeUndefined();
    await store.getOrCreateSecret('join-token', () => 'key');
    await store.putRecordingRetention({ days: 30, setBy: 'coord', setAt: 1_000 });
    await store.putRecordingRetention({ days: 90, setBy: 'coord-2', setAt: 2_000 });
    for (const days of [0, -1, 3651, 1.5]) {
      await expect(store.putRecordingRetention({ days, setBy: 'c', setAt: 3_000 })).rejects.toBeInstanceOf(
        InvalidRecordError,
      );
    }
    const again = await suite.open();
    expect(await again.getRecordingRetention()).toEqual({ days: 90, setBy: 'coord-2', setAt: 2_000 });
    expect(await again.getOrCreateSecret('join-token', () => 'other')).toBe('key');
    await again.putRecordingRetention({ days: null, setBy: 'coord', setAt: 4_000 });
    expect((await again.getRecordingRetention())?.days).toBeNull();
  });
});
