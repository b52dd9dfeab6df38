/**
 * The real server process, killed with SIGKILL while one of its recordings was open, marks that recording
 * interrupted when it starts again, and lists it with the segments it had.
 */
import { afterEach, expect, it } from 'vitest';
import type { LessonRecordings } from '@cloudschool/protocol';
import { login, scheduleLessonOverHttp } from '@cloudschool/testkit';
import { SqliteStore } from '../../src/store/SqliteStore.ts';
import { startDurableServer, teardown } from '../support/durable.ts';

afterEach(teardown);

it('a recording open when the server was killed is listed as interrupted after the restart', async () => {
  const server = await startDurableServer('embedded', { NODE_ID: 'node-r' });
  const cookie = await login(server.url);
  const start = Date.now() + 3_600_000;
  await scheduleLessonOverHttp(server.url, cookie, 1, { startsAt: start, endsAt: start + 2_700_000 });
  const from = new Date().toISOString();
  const to = new Date(start + 86_400_000).toISOString();
  const { lessons } = (await (
    await fetch(`${server.url}/api/lessons?from=${from}&to=${to}`, { headers: { cookie } })
  ).json()) as { lessons: { id: string }[] };
  const lessonId = lessons[0]!.id;
  // What the node's recorder had written when it died: the recording, open, and one segment.
  const startedAt = Date.now() - 10_000;
  const store = await SqliteStore.open(server.dataDir);
  await store.putRecording({
    id: 'rec-1',
    lessonId,
    nodeId: 'node-r',
    startedAt,
    endedAt: null,
    status: 'recording',
  });
  await store.putRecording({
    id: 'rec-other-node',
    lessonId,
    nodeId: 'node-s',
    startedAt,
    endedAt: null,
    status: 'recording',
  });
  await store.appendRecordingSegment({
    recordingId: 'rec-1',
    run: 0,
    file: 'r0-00000.webm',
    startedAt,
    durationMs: 4_000,
  });
  await store.close();

  const list = async (): Promise<LessonRecordings> =>
    (await (
      await fetch(`${server.url}/api/lessons/${lessonId}/recordings`, { headers: { cookie } })
    ).json()) as LessonRecordings;
  expect((await list()).recordings.map((r) => r.status)).toEqual(['recording', 'recording']);

  await server.crash();
  const after = await list();
  // Its own recording, not another node's (that node is alive as far as this one knows).
  expect(after.recordings.map((r) => [r.id, r.status])).toEqual([
    ['rec-1', 'interrupted'],
    ['rec-other-node', 'recording'],
  ]);
  expect(after.recordings[0]).toMatchObject({
    endedAt: new Date(startedAt + 4_000).toISOString(),
    durationMs: 4_000,
    segments: [{ file: 'r0-00000.webm', startedAt: new Date(startedAt).toISOString(), durationMs: 4_000 }],
  });
});
