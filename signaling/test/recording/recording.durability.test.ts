/**
 * The real server process, killed with SIGKILL while one of its recordings was open, marks that recording
 * interrupted when it starts again, and lists it with the segments it had.
 */
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { LessonRecordings } from '@cloudschool/protocol';
import {
  audioRtpParameters,
  connectClient,
  FfmpegRtpSender,
  liveLessonOverHttp,
  login,
  ok,
  scheduleLessonOverHttp,
  videoRtpParameters,
} from '@cloudschool/testkit';
import { SqliteStore } from '../../src/store/SqliteStore.ts';
import { startDurableServer, teardown } from '../support/durable.ts';
import { ffprobe, joined, kindsOf, sleep } from './support.ts';

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

it('kill -9 of the server 20 s into a recording its host started: listed after the restart, playing to within 5 s of the kill', async () => {
  const server = await startDurableServer('embedded', { NODE_ID: 'node-k', ALLOW_PLAIN_TRANSPORTS: '1' });
  const coordinator = await login(server.url);
  const lesson = await liveLessonOverHttp(server.url, coordinator, 1);
  const host = await connectClient(server.url, lesson.teacherCookie);
  const sender = new FfmpegRtpSender();
  try {
    await ok(host, 'lesson:join', { lessonId: lesson.lessonId, role: 'host' });
    const video = await ok(host, 'media:createPlainTransport', { direction: 'send' });
    const audio = await ok(host, 'media:createPlainTransport', { direction: 'send' });
    await ok(host, 'media:produce', {
      transportId: video.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: videoRtpParameters,
    });
    await ok(host, 'media:produce', {
      transportId: audio.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: audioRtpParameters,
    });
    sender.start({ ip: video.ip, videoPort: video.port, audioPort: audio.port });
    const started = await ok(host, 'recording:start', {});
    expect(started.status).toBe('recording');
    await sleep(20_000);
    const killedAt = Date.now();
    host.disconnect();
    await server.crash();

    const res = await fetch(`${server.url}/api/lessons/${lesson.lessonId}/recordings`, {
      headers: { cookie: coordinator },
    });
    const { recordings } = (await res.json()) as LessonRecordings;
    expect(recordings.map((r) => r.status)).toEqual(['interrupted']);
    const [recording] = recordings;
    const recorded = Date.parse(recording!.endedAt!);
    expect(killedAt - recorded).toBeLessThan(5_000);
    expect(recording!.durationMs).toBeGreaterThan(killedAt - Date.parse(started.startedAt!) - 5_000);
    // What is listed plays, as one file, VP8 and Opus, for as long as it says.
    const dir = path.join(server.dataDir, 'recordings', lesson.lessonId, recording!.id);
    const whole = await ffprobe(
      await joined(
        dir,
        recording!.segments.map((s) => s.file),
      ),
    );
    expect(kindsOf(whole)).toEqual(['audio/opus', 'video/vp8']);
    expect(Math.abs(Number(whole.format.duration) * 1000 - recording!.durationMs)).toBeLessThan(1_500);
  } finally {
    host.disconnect();
    await sender.stop();
  }
});
