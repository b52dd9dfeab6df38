import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { RtpSink, videoRtpParameters } from '@cloudschool/testkit';
import { InvalidStateError, MediaError, NotFoundError } from '../src/index.ts';
import type { MediaRoom } from '../src/index.ts';
import {
  createSfu,
  onTeardown,
  receive,
  sendVideo,
  sendVideoTakingPlis,
  teardown,
  until,
} from './support.ts';

afterEach(teardown);

async function room(): Promise<MediaRoom> {
  return (await createSfu(1)).room('lesson');
}

describe('MediaPeer', () => {
  it('is placed by its first transport and counts on that worker until it closes', async () => {
    const r = await room();
    const peer = r.peer('p1');
    expect(peer.workerPid).toBeUndefined();
    await peer.createWebRtcTransport('recv');
    const { slot } = await peer.placement();
    expect(peer.workerPid).toBe(slot.worker.pid);
    expect(slot.peers).toBe(1);
    peer.close();
    expect(slot.peers).toBe(0);
  });

  it('creates consumers paused: no media flows until the client resumes them', async () => {
    const r = await room();
    const producer = await sendVideo(r.peer('host', 'sender'));
    const peer = r.peer('c1');
    const receiver = await receive(peer, producer.id, r.rtpCapabilities, false);
    expect(receiver.consumer.paused).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.packets()).toBe(0);
    await peer.resumeConsumer(receiver.consumer.id);
    expect(receiver.consumer.paused).toBe(false);
    await until(() => receiver.packets() >= 5, 'RTP after resume');
  });

  it('keeps the link estimate of a receiving WebRTC transport for its consumers, until it closes', async () => {
    const r = await room();
    const producer = await sendVideo(r.peer('host', 'sender'));
    const peer = r.peer('c1');
    const { id } = await peer.createWebRtcTransport('recv');
    const consumer = await peer.consume(id, producer.id, r.rtpCapabilities);
    const link = peer.linkOf(consumer.id);
    expect(link, 'a WebRTC receiving transport').toBeDefined();
    expect(link?.highestKbps(20_000), 'no estimate yet: the page never connected').toBeNull();
    const plain = await receive(peer, producer.id, r.rtpCapabilities);
    expect(peer.linkOf(plain.consumer.id), 'a plain transport has no estimate').toBeUndefined();
    peer.close();
    expect(peer.linkOf(consumer.id)).toBeUndefined();
  });

  it('tells its owner of consumers the server closes, not of those the client closes', async () => {
    const r = await room();
    const host = r.peer('host', 'sender');
    const [camera, other] = [await sendVideo(host), await sendVideo(host)];
    const peer = r.peer('c1');
    const told: string[] = [];
    peer.on('consumerclose', (id) => told.push(id));
    const a = await receive(peer, camera.id, r.rtpCapabilities);
    const b = await receive(peer, other.id, r.rtpCapabilities);
    const c = await receive(peer, other.id, r.rtpCapabilities);
    host.closeProducer(camera.id);
    peer.closeConsumer(b.consumer.id, true);
    peer.closeConsumer(c.consumer.id);
    expect(peer.consumerCount()).toBe(1);
    // The worker reports the producer's close: the peer closes its consumer and tells.
    await until(() => told.length === 2, 'the consumer of the closed producer is reported');
    expect(told.sort()).toEqual([a.consumer.id, b.consumer.id].sort());
    expect(peer.consumerCount()).toBe(0);
  });

  it('refuses ids it does not have, the wrong transport, and everything once closed', async () => {
    const r = await room();
    const peer = r.peer('p1');
    const recv = await peer.createPlainTransport('recv');
    await expect(peer.connectWebRtcTransport('nope', { fingerprints: [] })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(() => peer.closeConsumer('nope')).toThrow(NotFoundError);
    expect(() => peer.closeProducer('nope')).toThrow(NotFoundError);
    await expect(peer.resumeConsumer('nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(peer.connectWebRtcTransport(recv.id, { fingerprints: [] })).rejects.toBeInstanceOf(
      MediaError,
    );
    await expect(peer.produce(recv.id, 'video', videoRtpParameters, {})).rejects.toBeInstanceOf(MediaError);
    peer.close();
    await expect(peer.createWebRtcTransport('recv')).rejects.toBeInstanceOf(InvalidStateError);
    await expect(peer.placement()).rejects.toBeInstanceOf(InvalidStateError);
    // A closed peer refuses as a MediaError too: signaling maps that to `media_error`.
    await expect(peer.connectPlainTransport(recv.id, '127.0.0.1', 9)).rejects.toBeInstanceOf(MediaError);
  });

  it("refuses a second connect of a transport as a MediaError (the page's mistake, not the server's)", async () => {
    const peer = (await room()).peer('p1');
    const transport = await peer.createWebRtcTransport('recv');
    const dtls = {
      role: 'client' as const,
      fingerprints: [{ algorithm: 'sha-256' as const, value: 'AB:CD' }],
    };
    await peer.connectWebRtcTransport(transport.id, dtls);
    await expect(peer.connectWebRtcTransport(transport.id, dtls)).rejects.toBeInstanceOf(MediaError);
  });

  it('closes once, with its transports, producers and consumers; its room forgets it', async () => {
    const r = await room();
    const host = r.peer('host', 'sender');
    const producer = await sendVideo(host);
    const { consumer } = await receive(host, producer.id, r.rtpCapabilities);
    let closes = 0;
    host.observer.on('close', () => closes++);
    host.close();
    host.close();
    expect(closes).toBe(1);
    expect(host.closed).toBe(true);
    expect(producer.closed).toBe(true);
    expect(consumer.closed).toBe(true);
    expect(r.getProducer(producer.id)).toBeUndefined();
    expect(r.existingPeer('host')).toBeUndefined();
    expect(r.peer('host')).not.toBe(host);
    expect((await r.linkRouter.dump()).transportIds).toEqual([]);
  });

  it('closes a transport that was being made when it closed, and says so', async () => {
    const r = await room();
    const peer = r.peer('p1');
    const { router } = await peer.placement();
    // mediasoup announces the transport before handing it over: the peer closes in between.
    router.observer.once('newtransport', () => peer.close());
    await expect(peer.createWebRtcTransport('send')).rejects.toBeInstanceOf(InvalidStateError);
    expect((await router.dump()).transportIds).toEqual([]);
  });
  it('asks for fresh key frames for what a transport carries, received or sent, once its path is back', async () => {
    const r = await room();
    const host = r.peer('host', 'sender');
    const { producer, transportId: sending, asked } = await sendVideoTakingPlis(host);

    const classroom = r.peer('c1');
    const sink = new RtpSink();
    onTeardown(() => sink.close());
    const receiving = await classroom.createPlainTransport('recv');
    await classroom.connectPlainTransport(receiving.id, '127.0.0.1', await sink.bind());
    const consumer = await classroom.consume(receiving.id, producer.id, r.rtpCapabilities);
    await classroom.resumeConsumer(consumer.id);
    await until(() => asked.length > 0, 'the resume asks the sender for a key frame');
    // Past the producer's key-frame delay (1 s) and mediasoup's wait for the frame asked (1 s), nothing
    // asks by itself: a request after this is the one under test.
    await sleep(2_200);
    asked.length = 0;
    await sleep(300);
    expect(asked, 'no request of its own').toEqual([]);

    await classroom.requestKeyFrames(receiving.id);
    await until(
      () => asked.length === 1,
      "the classroom's transport back: the picture it receives is asked for",
    );
    await sleep(2_200);
    asked.length = 0;
    await host.requestKeyFrames(sending);
    await until(() => asked.length === 1, "the host's transport back: the picture it sends is asked for");

    await expect(classroom.requestKeyFrames('nope')).rejects.toBeInstanceOf(NotFoundError);
  });
});
