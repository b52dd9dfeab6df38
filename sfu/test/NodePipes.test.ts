/**
 * Two nodes' media planes in one process (two Sfu instances, real workers), their pipe messages carried
 * by direct calls instead of Redis: a track received by node A is pulled once by node B and fanned out
 * there; pause and close follow it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidStateError, NodePipes } from '../src/index.ts';
import type { PipeCarrier, Sfu } from '../src/index.ts';
import { createSfu, onTeardown, receive, sendVideo, teardown, until } from './support.ts';
import type { Receiver } from './support.ts';

afterEach(teardown);

/** Wires the nodes' NodePipes to each other the way the control plane does over Redis. */
function link(nodes: Record<string, Sfu>): Record<string, NodePipes> {
  const pipes: Record<string, NodePipes> = {};
  for (const [id, sfu] of Object.entries(nodes)) {
    const carrier: PipeCarrier = {
      request: (to, request) => pipes[to]!.serve(id, structuredClone(request)),
      notify: (to, notice) => setImmediate(() => pipes[to]!.notice(notice)),
    };
    const nodePipes = new NodePipes(sfu, carrier);
    onTeardown(() => nodePipes.close());
    pipes[id] = nodePipes;
  }
  return pipes;
}

/** Node a receives a track, node b is linked to it; both have the room 'lesson'. */
async function twoNodes() {
  const a = await createSfu(1);
  const b = await createSfu(1);
  const pipes = link({ a, b });
  const roomA = await a.room('lesson');
  const roomB = await b.room('lesson');
  const producer = await sendVideo(roomA.peer('host', 'sender'));
  return { a, b, pipes: { a: pipes.a!, b: pipes.b! }, roomA, roomB, producerId: producer.id };
}

describe('NodePipes', () => {
  it('pulls a track once per node, fans it out there, and follows pause and close', async () => {
    const { pipes, roomA, roomB, producerId } = await twoNodes();

    const receivers: Receiver[] = [];
    for (const id of ['c1', 'c2', 'c3']) {
      await pipes.b.pull(roomB, producerId, 'a');
      receivers.push(await receive(roomB.peer(id), producerId, roomB.rtpCapabilities));
    }
    await until(() => receivers.every((r) => r.packets() >= 20), 'every receiver on node b gets RTP');

    const [outA] = await pipes.a.report('lesson');
    const [inB] = await pipes.b.report('lesson');
    expect(outA).toMatchObject({ node: 'b', direction: 'out', tracks: 1 });
    expect(inB).toMatchObject({ node: 'a', direction: 'in', tracks: 1 });
    expect(inB!.bytesReceived).toBeGreaterThan(0);

    roomA.getProducer(producerId)!.pause();
    await until(() => roomB.getProducer(producerId)?.paused === true, 'the copy pauses with the original');
    roomA.getProducer(producerId)!.resume();
    await until(() => roomB.getProducer(producerId)?.paused === false, 'and resumes');

    const closed = new Promise<void>((r) => receivers[0]!.consumer.once('producerclose', () => r()));
    roomA.getProducer(producerId)!.close();
    await closed;
    expect(roomB.getProducer(producerId)).toBeUndefined();
  });

  it('serves a track its node received on another worker than the link', async () => {
    const a = await createSfu(2);
    const b = await createSfu(1);
    const pipes = link({ a, b });
    const roomA = await a.room('lesson');
    const roomB = await b.room('lesson');
    // The link's worker has a peer already: the sender goes to the other worker.
    await roomA.peer('watcher').createWebRtcTransport('recv');
    const host = roomA.peer('host', 'sender');
    const producer = await sendVideo(host);
    expect(host.workerPid).not.toBe(roomA.workerPid);
    await pipes.b!.pull(roomB, producer.id, 'a');
    const receiver = await receive(roomB.peer('c1'), producer.id, roomB.rtpCapabilities);
    await until(() => receiver.packets() >= 20, 'the receiver on node b gets RTP');
  });

  it('drops the links of a node that is gone', async () => {
    const { pipes, roomB, producerId } = await twoNodes();
    await pipes.b.pull(roomB, producerId, 'a');
    expect(roomB.getProducer(producerId)).toBeDefined();
    pipes.b.dropNode('a');
    await until(() => roomB.getProducer(producerId) === undefined, 'the copy closes');
    expect(await pipes.b.report('lesson')).toEqual([]);
  });

  it('closes once: its links and the copies over them; pulls and requests then fail', async () => {
    const { pipes, roomB, producerId } = await twoNodes();
    await pipes.b.pull(roomB, producerId, 'a');
    let closes = 0;
    pipes.b.observer.on('close', () => closes++);
    pipes.b.close();
    pipes.b.close();
    expect(closes).toBe(1);
    expect(pipes.b.closed).toBe(true);
    expect(roomB.getProducer(producerId)).toBeUndefined();
    expect(await pipes.b.report('lesson')).toEqual([]);
    expect((await roomB.linkRouter.dump()).transportIds).toEqual([]);
    await expect(pipes.b.pull(roomB, producerId, 'a')).rejects.toBeInstanceOf(InvalidStateError);
    await expect(
      pipes.b.serve('a', { type: 'consume', roomId: 'lesson', linkId: 'x', producerId }),
    ).rejects.toBeInstanceOf(InvalidStateError);
  });

  it('fails a pull under way when it closes, leaving no link behind', async () => {
    const { pipes, roomB, producerId } = await twoNodes();
    const pulling = pipes.b.pull(roomB, producerId, 'a');
    pipes.b.close();
    await expect(pulling).rejects.toBeInstanceOf(InvalidStateError);
    expect((await roomB.linkRouter.dump()).transportIds).toEqual([]);
  });

  it('closes with its Sfu', async () => {
    const { b, pipes } = await twoNodes();
    b.close();
    expect(pipes.b.closed).toBe(true);
    expect(pipes.a.closed).toBe(false);
  });
});
