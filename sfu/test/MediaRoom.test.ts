import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidStateError } from '../src/index.ts';
import type { MediaRoomCloseReason } from '../src/index.ts';
import { createSfu, receive, sendVideo, sendVideoTakingPlis, teardown, until } from './support.ts';
import type { Receiver } from './support.ts';

afterEach(teardown);

describe('MediaRoom', () => {
  it('places each peer on the least-loaded worker, all rooms counted', async () => {
    const sfu = await createSfu(2);
    const [a, b] = sfu.workerPids;
    const room = await sfu.room('r1');
    expect(room.workerPid).toBe(a);
    const pids: (number | undefined)[] = [];
    for (const id of ['p1', 'p2', 'p3', 'p4']) {
      const peer = room.peer(id);
      await peer.createWebRtcTransport('recv');
      pids.push(peer.workerPid);
    }
    // p2 goes to the empty worker; on a full tie (same peers, both the room's, one router each) the first slot.
    expect(pids).toEqual([a, b, a, b]);
    expect(room.workerReport()).toEqual([
      { pid: a, peers: 2, consumers: 0 },
      { pid: b, peers: 2, consumers: 0 },
    ]);
    // Another room's peers go where this room's load is lightest.
    room.existingPeer('p2')!.close();
    const other = await sfu.room('r2');
    const peer = other.peer('q1');
    await peer.createWebRtcTransport('recv');
    expect(peer.workerPid).toBe(b);
  });

  it('puts senders on the ingest worker and receivers on the others', async () => {
    const sfu = await createSfu(1, true);
    const [forwarding, ingest] = sfu.workerPids;
    const room = await sfu.room('r1');
    // The room's first router receives the senders and links to other nodes.
    expect(room.workerPid).toBe(ingest);
    const host = room.peer('host', 'sender');
    await host.createWebRtcTransport('send');
    const classroom = room.peer('c1');
    await classroom.createWebRtcTransport('recv');
    expect([host.workerPid, classroom.workerPid]).toEqual([ingest, forwarding]);
  });

  it('pipes a track into another worker once, however many peers there receive it', async () => {
    const sfu = await createSfu(1, true);
    const room = await sfu.room('r1');
    const producer = await sendVideo(room.peer('host', 'sender'));
    const receivers: Receiver[] = [];
    for (const id of ['c1', 'c2', 'c3']) {
      receivers.push(await receive(room.peer(id), producer.id, room.rtpCapabilities));
    }
    expect(room.pipedCount(producer.id)).toBe(1);
    expect(room.consumerCount('video')).toBe(3);
    expect(room.consumersOf(producer.id).map(({ peer }) => peer.id)).toEqual(['c1', 'c2', 'c3']);
    // The room hands out the sender's producer, not the piped copy.
    expect(room.getProducer(producer.id)).toBe(producer);
    await until(() => receivers.every((r) => r.packets() >= 5), 'every receiver gets RTP through the pipe');
    producer.close();
    await until(() => room.pipedCount(producer.id) === 0, 'the pipe goes with its producer');
  });

  it('asks the sender for a key frame through a pipe only once a consumer behind it is resumed', async () => {
    const sfu = await createSfu(1, true);
    const room = await sfu.room('r1');
    const host = room.peer('host', 'sender');
    const { producer, asked } = await sendVideoTakingPlis(host);

    const receiver = await receive(room.peer('c1'), producer.id, room.rtpCapabilities, false);
    expect(room.pipedCount(producer.id)).toBe(1);
    // mediasoup's own pipe asked here, and the producer's keyFrameRequestDelay then held the consumer's request.
    await sleep(500);
    expect(asked, 'a pipe with no consumer resumed behind it asks for nothing').toEqual([]);
    expect(receiver.packets()).toBe(0);
    await room.existingPeer('c1')!.resumeConsumer(receiver.consumer.id);
    await until(() => asked.length > 0, 'the resume asks the sender for a key frame');
    await until(() => receiver.packets() >= 5, 'RTP flows through the pipe');
  });

  it('closes once, its peers and routers first; the Sfu then makes a new room for the id', async () => {
    const sfu = await createSfu(2);
    const room = await sfu.room('r1');
    const host = room.peer('host', 'sender');
    const producer = await sendVideo(host);
    const classroom = room.peer('c1');
    const { consumer } = await receive(classroom, producer.id, room.rtpCapabilities);
    expect(room.workerPids).toHaveLength(2);
    const heard: string[] = [];
    // A listener that throws stops nothing.
    host.observer.on('close', () => {
      heard.push('host');
      throw new Error('a listener fails');
    });
    classroom.observer.on('close', () => heard.push('c1'));
    room.observer.on('close', (reason) => heard.push(`observer ${reason}`));
    room.on('close', (reason) => heard.push(`owner ${reason}`));
    room.close();
    room.close();
    expect(heard).toEqual(['host', 'c1', 'observer closed', 'owner closed']);
    expect(room.closed).toBe(true);
    expect([host.closed, classroom.closed, producer.closed, consumer.closed]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(room.linkRouter.closed).toBe(true);
    expect(() => room.peer('late')).toThrow(InvalidStateError);
    expect(await sfu.room('r1')).not.toBe(room);
  });

  it('closes with worker-died when one of its workers dies, after saying it is closing', async () => {
    const sfu = await createSfu(2);
    const room = await sfu.room('r1');
    const producer = await sendVideo(room.peer('host', 'sender'));
    const classroom = room.peer('c1');
    const { consumer } = await receive(classroom, producer.id, room.rtpCapabilities);
    expect(classroom.workerPid).not.toBe(room.workerPid);
    let closingWhenConsumerWent: boolean | undefined;
    consumer.observer.once('close', () => (closingWhenConsumerWent = room.closing));
    const closed = new Promise<MediaRoomCloseReason>((resolve) => room.once('close', resolve));
    process.kill(classroom.workerPid!, 'SIGKILL');
    expect(await closed).toBe('worker-died');
    expect(closingWhenConsumerWent).toBe(true);
    // The room's router on the surviving worker goes too: everyone rebuilds in the next room.
    expect(room.linkRouter.closed).toBe(true);
    expect(producer.closed).toBe(true);
  });
});
