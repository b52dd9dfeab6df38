/**
 * Two nodes' media planes in one process (two Sfu instances, real workers), their pipe messages carried
 * by direct calls instead of Redis: a track received by node A is pulled once by node B and fanned out
 * there; pause and close follow it.
 */
import dgram from 'node:dgram';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { NodePipes, Sfu } from '../src/index.ts';
import type { MediaPeer, MediaRoom, PipeCarrier } from '../src/index.ts';
import { freePortRange } from '@cloudschool/testkit';

const sfus: Sfu[] = [];
const sockets: dgram.Socket[] = [];
const timers: NodeJS.Timeout[] = [];
afterEach(() => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const s of sockets.splice(0)) s.close();
  for (const s of sfus.splice(0)) s.close();
});

async function node(): Promise<Sfu> {
  const sfu = await Sfu.create({
    workerCount: 1,
    listenIp: '127.0.0.1',
    announcedAddress: '127.0.0.1',
    rtcPortBase: await freePortRange(1),
    plainPortRange: { min: 44000, max: 44999 },
    keyFrameRequestDelayMs: 1000,
    logLevel: 'warn',
    logger: pino({ level: 'silent' }),
  });
  sfus.push(sfu);
  return sfu;
}

/** Wires the nodes' NodePipes to each other the way the control plane does over Redis. */
function link(nodes: Record<string, Sfu>): Record<string, NodePipes> {
  const pipes: Record<string, NodePipes> = {};
  for (const [id, sfu] of Object.entries(nodes)) {
    const carrier: PipeCarrier = {
      request: (to, request) => pipes[to]!.serve(id, structuredClone(request)),
      notify: (to, notice) => setImmediate(() => pipes[to]!.notice(notice)),
    };
    pipes[id] = new NodePipes(sfu, carrier);
  }
  return pipes;
}

const VP8 = { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 };

async function sendVideo(peer: MediaPeer): Promise<string> {
  const t = await peer.createPlainTransport('send');
  const producer = await peer.produce(
    t.id,
    'video',
    { codecs: [VP8], encodings: [{ ssrc: 1111 }] },
    { source: 'camera' },
  );
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  let seq = 0;
  timers.push(
    setInterval(() => {
      const b = Buffer.alloc(312, 0xab);
      b[0] = 0x80;
      b[1] = 0x80 | VP8.payloadType;
      b.writeUInt16BE(seq & 0xffff, 2);
      b.writeUInt32BE((seq * 3000) >>> 0, 4);
      b.writeUInt32BE(1111, 8);
      b[12] = 0x10;
      b[13] = seq % 10 === 0 ? 0x00 : 0x01;
      seq++;
      socket.send(b, t.port, t.ip);
    }, 20),
  );
  return producer.id;
}

async function receive(peer: MediaPeer, producerId: string, rtpCapabilities: MediaRoom['rtpCapabilities']) {
  const socket = dgram.createSocket('udp4');
  sockets.push(socket);
  let count = 0;
  socket.on('message', (m) => {
    const pt = (m[1] ?? 0) & 0x7f;
    if (m.length >= 12 && (pt < 72 || pt > 76)) count++; // not RTCP (rtcp-mux)
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const t = await peer.createPlainTransport('recv');
  await peer.connectPlainTransport(t.id, '127.0.0.1', socket.address().port);
  const consumer = await peer.consume(t.id, producerId, rtpCapabilities);
  await peer.resumeConsumer(consumer.id);
  return { consumer, count: () => count };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out: ${what}`);
}

describe('NodePipes', () => {
  it('pulls a track once per node, fans it out there, and follows pause and close', async () => {
    const a = await node();
    const b = await node();
    const pipes = link({ a, b });
    const roomA = await a.room('lesson');
    const roomB = await b.room('lesson');
    const producerId = await sendVideo(roomA.peer('host'));

    const receivers: Awaited<ReturnType<typeof receive>>[] = [];
    for (const id of ['c1', 'c2', 'c3']) {
      await pipes.b!.pull(roomB, producerId, 'a');
      receivers.push(await receive(roomB.peer(id), producerId, roomB.rtpCapabilities));
    }
    await until(() => receivers.every((r) => r.count() >= 20), 'every receiver on node b gets RTP');

    const [outA] = await pipes.a!.report('lesson');
    const [inB] = await pipes.b!.report('lesson');
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

  it('drops the links of a node that is gone', async () => {
    const a = await node();
    const b = await node();
    const pipes = link({ a, b });
    const roomA = await a.room('lesson');
    const roomB = await b.room('lesson');
    const producerId = await sendVideo(roomA.peer('host'));
    await pipes.b!.pull(roomB, producerId, 'a');
    expect(roomB.getProducer(producerId)).toBeDefined();
    pipes.b!.dropNode('a');
    await until(() => roomB.getProducer(producerId) === undefined, 'the copy closes');
    expect(await pipes.b!.report('lesson')).toEqual([]);
  });
});
