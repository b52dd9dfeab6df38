/**
 * What the sfu tests share: a node on free ports (./testSfu.ts), teardown that closes what a test made and waits
 * for every worker process it started to exit, and plain-RTP senders and receivers (testkit's RTP tools).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { RtpSender, RtpSink, videoRtpParameters, waitFor } from '@cloudschool/testkit';
import type { MediaPeer, Sfu } from '../src/index.ts';
import { testSfu } from './testSfu.ts';

/** Every mediasoup worker started in this test file (replacements too), so teardown can wait for its process. */
const workers = new Set<ms.Worker>();
mediasoup.observer.on('newworker', (worker) => workers.add(worker));

const cleanups: (() => void)[] = [];

/** Something teardown closes, last made first closed. */
export function onTeardown(cleanup: () => void): void {
  cleanups.push(cleanup);
}

/** For `afterEach`: closes what the test made, then waits until every worker process has exited. */
export async function teardown(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  const running = [...workers].filter((w) => !w.subprocessClosed);
  workers.clear();
  await Promise.all(running.map((w) => new Promise<void>((resolve) => w.once('subprocessclose', resolve))));
}

/** An Sfu closed at teardown. */
export async function createSfu(workerCount = 1, ingestWorker = false): Promise<Sfu> {
  const sfu = await testSfu(workerCount, { ingestWorker });
  onTeardown(() => sfu.close());
  return sfu;
}

/** The peer produces a VP8 track over a plain transport, RTP flowing from a local socket until teardown. */
export async function sendVideo(peer: MediaPeer): Promise<ms.Producer> {
  const transport = await peer.createPlainTransport('send');
  const producer = await peer.produce(transport.id, 'video', videoRtpParameters, { source: 'camera' });
  const sender = new RtpSender();
  onTeardown(() => sender.close());
  sender.start(transport.ip, transport.port);
  return producer;
}

/**
 * As sendVideo, from a sender that takes PLIs as browsers do: `asked` notes each key frame mediasoup asks of
 * it (the producer's 'pli' trace). Resolves once RTP reaches the producer (mediasoup asks nothing before).
 */
export async function sendVideoTakingPlis(
  peer: MediaPeer,
): Promise<{ producer: ms.Producer; transportId: string; asked: number[] }> {
  const transport = await peer.createPlainTransport('send');
  const [codec] = videoRtpParameters.codecs;
  const producer = await peer.produce(
    transport.id,
    'video',
    { ...videoRtpParameters, codecs: [{ ...codec!, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }] },
    { source: 'camera' },
  );
  const sender = new RtpSender();
  onTeardown(() => sender.close());
  sender.start(transport.ip, transport.port);
  const asked: number[] = [];
  await producer.enableTraceEvent(['pli']);
  producer.on('trace', () => asked.push(Date.now()));
  for (let i = 0; i < 50 && (await producer.getStats()).length === 0; i++) await sleep(100);
  if ((await producer.getStats()).length === 0) throw new Error('no RTP reached the producer');
  return { producer, transportId: transport.id, asked };
}

export interface Receiver {
  consumer: ms.Consumer;
  /** RTP packets of the consumer that reached the local socket so far. */
  packets(): number;
}

/** The peer consumes a track over a plain transport into a local socket; resumed unless told otherwise. */
export async function receive(
  peer: MediaPeer,
  producerId: string,
  rtpCapabilities: ms.RtpCapabilities,
  resume = true,
): Promise<Receiver> {
  const sink = new RtpSink();
  onTeardown(() => sink.close());
  const port = await sink.bind();
  const transport = await peer.createPlainTransport('recv');
  await peer.connectPlainTransport(transport.id, '127.0.0.1', port);
  const consumer = await peer.consume(transport.id, producerId, rtpCapabilities);
  if (resume) await peer.resumeConsumer(consumer.id);
  const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc ?? 0;
  return { consumer, packets: () => sink.count(ssrc) };
}

/** Waits (a few seconds at most) until `check` holds. */
export const until = (check: () => boolean, what: string): Promise<void> => waitFor(check, what, 5000);
