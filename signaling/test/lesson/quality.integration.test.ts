/**
 * A classroom's level weighs what the server sends it, with real RTP through mediasoup: a page that reports
 * receiving nothing of the host's media while it was sent all through the report's interval is bad, on its
 * own screen and on the host's tile; a page sent nothing, or sent it for part of the interval only, is not.
 */
import { expect, it } from 'vitest';
import type { QualityReport } from '@cloudschool/protocol';
import { consume, ok, openMediaPage, publish, waitFor } from '@cloudschool/testkit';
import { sleep } from '../recording/support.ts';
import { seedLiveLesson } from '../support/fixtures.ts';
import { serverPerTest } from '../support/server.ts';

const live = serverPerTest(1);

/** A report of a page that received nothing at all (no stream, no connected route), over `intervalMs`. */
const nothing = (intervalMs: number): QualityReport => ({ intervalMs, received: null, sent: null });

it('calls a classroom bad that receives nothing of what the host sends it, once it was sent all the interval', async () => {
  const seeded = await seedLiveLesson(live.server, 1);
  const { url } = live.server;
  const host = await openMediaPage(
    url,
    seeded.lessonId,
    { role: 'host', cookie: seeded.teacherCookie },
    live.cleanups,
  );
  const [camera, mic] = await publish(host.socket, live.sender(), ['video', 'audio']);
  const room = await openMediaPage(
    url,
    seeded.lessonId,
    { role: 'classroom', token: seeded.tokens[0]! },
    live.cleanups,
  );
  const tile = () => host.state.interaction?.tiles?.find((t) => t.classroomId === seeded.classroomIds[0]);

  // A consumer not resumed sends nothing: nothing is expected yet.
  const paused = await ok(room.socket, 'media:consume', {
    transportId: room.recvTransportId,
    producerId: camera!,
    rtpCapabilities: room.join.routerRtpCapabilities,
  });
  expect(await ok(room.socket, 'quality:report', nothing(1000))).toEqual({ level: 'good', hint: 'none' });

  await ok(room.socket, 'media:resumeConsumer', { consumerId: paused.id });
  const voice = await consume(room, mic!);
  await waitFor(
    () => room.sink.count(voice.ssrc) > 20,
    'the host’s voice reaches the classroom’s socket',
    5000,
  );
  // Sent for the last ~2 s of a 60 s interval: what was not sent before is not missing.
  await sleep(2100);
  expect(await ok(room.socket, 'quality:report', nothing(60_000))).toEqual({ level: 'good', hint: 'none' });

  // Sent all through a 1 s interval, and nothing arrived.
  await sleep(2100);
  expect(await ok(room.socket, 'quality:report', nothing(1000))).toEqual({ level: 'bad', hint: 'bad' });
  await waitFor(() => tile()?.quality === 'bad', 'the host’s tile says bad');
});
