/**
 * Recording in a cluster: two nodes on one Redis, the host on node 1, a classroom and a patrolling
 * coordinator on node 2. The recording runs on node 1 (the host's producers are there); node 2 refuses to
 * start it (`recording_elsewhere`) but shows it; an on-stage classroom received by node 2 is brought to node
 * 1 and recorded with the host. Real VP8 + Opus from ffmpeg, the recorder's real ffmpeg, ffprobe.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  audioRtpParameters,
  connectClient,
  FfmpegRtpSender,
  latestState,
  ok,
  request,
  startRedis,
  videoRtpParameters,
  waitFor,
} from '@cloudschool/testkit';
import type { ClientSocket, TestRedis } from '@cloudschool/testkit';
import { ffprobe, kindsOf, nextRun, sleep } from '../recording/support.ts';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

let redis: TestRedis;
let nodes: TestServer[];
let seeded: SeededLesson;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  redis = await startRedis();
  nodes = [];
  for (const nodeId of ['n1', 'n2'])
    nodes.push(await startTestServer(1, { cluster: { redisUrl: redis.url, nodeId } }));
  seeded = await seedLiveLesson(nodes[0]!, 2);
});
afterAll(async () => {
  for (const c of cleanups.splice(0)) await c();
  for (const n of nodes ?? []) await n.close();
  await redis?.stop();
});

async function client(node: TestServer, cookie?: string): Promise<ClientSocket> {
  const socket = await connectClient(node.url, cookie);
  cleanups.push(() => void socket.disconnect());
  return socket;
}

/** A real camera and microphone (ffmpeg) over two plain transports. */
async function publishReal(socket: ClientSocket): Promise<void> {
  const video = await ok(socket, 'media:createPlainTransport', { direction: 'send' });
  const audio = await ok(socket, 'media:createPlainTransport', { direction: 'send' });
  await ok(socket, 'media:produce', {
    transportId: video.id,
    kind: 'video',
    source: 'camera',
    rtpParameters: videoRtpParameters,
  });
  await ok(socket, 'media:produce', {
    transportId: audio.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: audioRtpParameters,
  });
  const sender = new FfmpegRtpSender();
  cleanups.push(() => sender.stop());
  sender.start({ ip: video.ip, videoPort: video.port, audioPort: audio.port });
}

it('records on the host’s node, refuses elsewhere, shows it on every node, brings a remote stage over', async () => {
  const [n1, n2] = nodes as [TestServer, TestServer];
  const host = await client(n1, seeded.teacherCookie);
  await ok(host, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
  await publishReal(host);
  const classroom = await client(n2);
  await ok(classroom, 'lesson:join', {
    lessonId: seeded.lessonId,
    role: 'classroom',
    token: seeded.tokens[0],
  });
  const atClassroom = latestState(classroom);
  await publishReal(classroom);
  const patrol = await client(n2, seeded.coordinatorCookie);
  await ok(patrol, 'lesson:join', { lessonId: seeded.lessonId, role: 'observer' });
  await waitFor(
    () => n2.app.lessons.get(seeded.lessonId)?.state().host.live === true,
    'node 2 knows the host broadcasts',
  );

  // Node 2 does not receive the host's media: it refuses, and nothing is recorded.
  const refused = await request(patrol, 'recording:start', {});
  expect(refused.ok ? 'ok' : refused.error.code).toBe('recording_elsewhere');
  expect(await n1.store.listRecordings(seeded.lessonId)).toEqual([]);

  await ok(host, 'recording:start', {});
  await waitFor(
    () => atClassroom.current?.recording.status === 'recording',
    'node 2’s classroom sees 录制中',
  );
  await sleep(4_000);
  const recordingId = n1.app.lessons.get(seeded.lessonId)!.recording.recording!.id;
  await ok(host, 'stage:invite', { classroomId: seeded.classroomIds[0]! });
  // The first run's segments are stored; then one of the run with the stage.
  await nextRun(n1.store, recordingId, 0);
  await ok(host, 'recording:stop', {});
  await waitFor(() => atClassroom.current?.recording.status === 'off', 'node 2’s classroom sees it stopped');

  const [recording, ...others] = await n1.store.listRecordings(seeded.lessonId);
  expect(others).toEqual([]);
  expect(recording).toMatchObject({ nodeId: 'n1', status: 'complete' });
  const segments = await n1.store.listRecordingSegments(recording!.id);
  const dir = n1.app.recorder.directory(seeded.lessonId, recording!.id);
  const layouts = new Set<string>();
  for (const segment of segments) layouts.add(kindsOf(await ffprobe(path.join(dir, segment.file))).join(' '));
  // The host alone, then the host with the classroom node 2 receives.
  expect([...layouts].sort()).toEqual(['audio/opus audio/opus video/vp8 video/vp8', 'audio/opus video/vp8']);
}, 120_000);
