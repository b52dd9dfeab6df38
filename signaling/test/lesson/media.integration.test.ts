/**
 * The real protocol over Socket.IO, real RTP through real mediasoup workers:
 * a host publishes crafted VP8 + Opus over plain transports, a classroom
 * receives them on a UDP socket.
 */
import { describe, expect, it } from 'vitest';
import { AUDIO, latestState, ok, publish, subscribe, VIDEO, waitFor } from '@cloudschool/testkit';
import { seedLiveLesson } from '../support/fixtures.ts';
import { serverPerTest } from '../support/server.ts';

const live = serverPerTest(1);

/** A live lesson with one classroom, both pages joined; a sender for the host, a bound sink for the classroom. */
async function hostAndClassroom() {
  const seeded = await seedLiveLesson(live.server, 1);
  const host = await live.client(seeded.teacherCookie);
  const classroom = await live.client();
  const sender = live.sender();
  const sink = live.sink();
  const sinkPort = await sink.bind();
  await ok(host, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
  const joined = await ok(classroom, 'lesson:join', {
    lessonId: seeded.lessonId,
    role: 'classroom',
    token: seeded.tokens[0],
  });
  return { host, classroom, sender, sink, sinkPort, joined };
}

describe('live media through the SFU', () => {
  it('carries a host camera and voice to a classroom, and tells classrooms when the host stops', async () => {
    const { host, classroom, sender, sink, sinkPort, joined } = await hostAndClassroom();
    expect(joined.state.host).toEqual({ connected: true, live: false });
    const state = latestState(classroom);

    const producerIds = await publish(host, sender);
    await waitFor(() => state.current?.producers.length === 2, 'classroom to learn of both producers');
    expect(state.current?.host.live).toBe(true);

    const ssrcs = await subscribe(classroom, sinkPort, producerIds, joined.routerRtpCapabilities);
    const videoSsrc = ssrcs.get('video')!;
    const audioSsrc = ssrcs.get('audio')!;
    await waitFor(() => sink.count(videoSsrc) >= 50 && sink.count(audioSsrc) >= 50, 'RTP at the classroom');
    expect(videoSsrc).not.toBe(VIDEO.ssrc); // mediasoup rewrites SSRCs: these came through the SFU
    expect(audioSsrc).not.toBe(AUDIO.ssrc);

    const closed: string[] = [];
    classroom.on('consumer:closed', ({ consumerId }) => closed.push(consumerId));
    for (const producerId of producerIds) await ok(host, 'media:closeProducer', { producerId });
    await waitFor(
      () => state.current?.host.live === false && closed.length === 2,
      'host offline at the classroom',
    );
    expect(state.current?.producers).toEqual([]);
    expect(live.server.app.io.sockets.sockets.size).toBe(2);
  });

  it('survives a worker killed with SIGKILL: the pool replaces it and the lesson goes on', async () => {
    const { host, classroom, sender, sink, sinkPort, joined } = await hostAndClassroom();
    const state = latestState(classroom);
    let producerIds = await publish(host, sender);
    let ssrcs = await subscribe(classroom, sinkPort, producerIds, joined.routerRtpCapabilities);
    await waitFor(() => sink.count(ssrcs.get('video')!) >= 20, 'RTP before the kill');

    const resets: string[] = [];
    host.on('media:reset', ({ reason }) => resets.push(`host:${reason}`));
    classroom.on('media:reset', ({ reason }) => resets.push(`classroom:${reason}`));
    const [oldPid] = live.server.sfu.workerPids;
    const replaced = new Promise<number>((resolve) =>
      live.server.sfu.once('workerreplaced', ({ pid }) => resolve(pid)),
    );
    process.kill(oldPid!, 'SIGKILL');

    const newPid = await replaced;
    expect(newPid).not.toBe(oldPid);
    await waitFor(() => resets.length === 2, 'media:reset at both pages');
    await waitFor(() => state.current?.host.live === false, 'host no longer live after the reset');

    sender.stop();
    producerIds = await publish(host, sender);
    await waitFor(() => state.current?.producers.length === 2, 'new producers announced');
    ssrcs = await subscribe(classroom, sinkPort, producerIds, joined.routerRtpCapabilities);
    const before = sink.count(ssrcs.get('video')!);
    await waitFor(
      () => sink.count(ssrcs.get('video')!) >= before + 20 && sink.count(ssrcs.get('audio')!) >= 20,
      'RTP after the kill',
    );
    expect(live.server.sfu.workerPids).toEqual([newPid]);
  });
});
