/** Publishing and receiving raw RTP over the real protocol (plain transports, enabled in test servers). */
import type {
  ConsumerInfo,
  InteractionState,
  JoinResult,
  LessonState,
  MediaKind,
  PlainTransportInfo,
  RtpCapabilities,
} from '@cloudschool/protocol';
import { audioRtpParameters, RtpSink, videoRtpParameters } from './rtp.ts';
import type { RtpSender } from './rtp.ts';
import { connectClient, ok } from './client.ts';
import type { ClientSocket } from './client.ts';

/**
 * Publishes from a plain send transport fed by an RtpSender: a VP8 camera and an Opus microphone (or only the
 * `kinds` given); starts the sender and returns the producer ids in the order of `kinds`.
 */
export async function publish(
  socket: ClientSocket,
  sender: RtpSender,
  kinds: readonly MediaKind[] = ['video', 'audio'],
): Promise<string[]> {
  const t = await ok(socket, 'media:createPlainTransport', { direction: 'send' });
  const ids: string[] = [];
  for (const kind of kinds) {
    const produced = await ok(socket, 'media:produce', {
      transportId: t.id,
      kind,
      ...(kind === 'video'
        ? { source: 'camera', rtpParameters: videoRtpParameters }
        : { source: 'mic', rtpParameters: audioRtpParameters }),
    });
    ids.push(produced.producerId);
  }
  sender.start(t.ip, t.port);
  return ids;
}

/** A random SRTP key (AEAD_AES_256_GCM: 32-byte key + 12-byte salt) for a receive-only plain transport. */
export function srtpKey(): { cryptoSuite: 'AEAD_AES_256_GCM'; keyBase64: string } {
  return {
    cryptoSuite: 'AEAD_AES_256_GCM',
    keyBase64: Buffer.from(crypto.getRandomValues(new Uint8Array(44))).toString('base64'),
  };
}

/**
 * A plain receive transport of `socket`'s peer, connected to a local UDP port. With `srtp` the worker encrypts
 * for it as for a browser (its key is in the answer); `sinkPort` may depend on the transport (a sink that tells
 * classrooms apart by the worker's source port, or needs the key, registers it there).
 */
export async function openPlainReceiver(
  socket: ClientSocket,
  o: { srtp: boolean; sinkPort: number | ((transport: PlainTransportInfo) => number); timeoutMs?: number },
): Promise<PlainTransportInfo> {
  const t = await ok(socket, 'media:createPlainTransport', { direction: 'recv', srtp: o.srtp }, o.timeoutMs);
  if (o.srtp && !t.srtp) throw new Error('the server made a plain transport without SRTP');
  await ok(
    socket,
    'media:connectPlainTransport',
    {
      transportId: t.id,
      ip: '127.0.0.1',
      port: typeof o.sinkPort === 'number' ? o.sinkPort : o.sinkPort(t),
      // A receive-only sink never sends, so its own key only has to be well-formed.
      ...(o.srtp ? { srtp: srtpKey() } : {}),
    },
    o.timeoutMs,
  );
  return t;
}

/** A consumer of `producerId` on a receive transport, resumed as a page would once ready; with the SSRC it sends. */
export async function consumeResumed(
  socket: ClientSocket,
  transportId: string,
  producerId: string,
  rtpCapabilities: RtpCapabilities,
  timeoutMs?: number,
): Promise<ConsumerInfo & { ssrc: number }> {
  const c = await ok(socket, 'media:consume', { transportId, producerId, rtpCapabilities }, timeoutMs);
  const ssrc = c.rtpParameters.encodings?.[0]?.ssrc;
  if (ssrc === undefined) throw new Error('consumer without ssrc');
  await ok(socket, 'media:resumeConsumer', { consumerId: c.id }, timeoutMs);
  return { ...c, ssrc };
}

/**
 * Classroom: plain recv transport to `sink` (SRTP-encrypted by the worker with `srtp`), one resumed consumer
 * per producer; returns the SSRCs it will see.
 */
export async function subscribe(
  classroom: ClientSocket,
  sinkPort: number,
  producerIds: string[],
  rtpCapabilities: RtpCapabilities,
  srtp = false,
): Promise<Map<MediaKind, number>> {
  const t = await openPlainReceiver(classroom, { srtp, sinkPort });
  const ssrcs = new Map<MediaKind, number>();
  for (const producerId of producerIds) {
    const c = await consumeResumed(classroom, t.id, producerId, rtpCapabilities);
    ssrcs.set(c.kind, c.ssrc);
  }
  return ssrcs;
}

export function latestState(socket: ClientSocket): { current: LessonState | undefined } {
  const box: { current: LessonState | undefined } = { current: undefined };
  socket.on('lesson:state', (s) => (box.current = s));
  return box;
}

/** A joined page with a plain receive transport into its own RTP sink, and what the server pushed it. */
export interface MediaPage {
  socket: ClientSocket;
  join: JoinResult;
  state: { lesson?: LessonState; interaction?: InteractionState };
  sink: RtpSink;
  recvTransportId: string;
  /** Consumers the server closed (e.g. a classroom left the stage). */
  closed: string[];
}

/** Joins `lessonId` on the server at `url` as a host (by cookie) or a classroom (by token); `cleanups` closes it. */
export async function openMediaPage(
  url: string,
  lessonId: string,
  who: { role: 'host'; cookie: string } | { role: 'classroom'; token: string },
  cleanups: (() => void)[],
): Promise<MediaPage> {
  const socket = await connectClient(url, who.role === 'host' ? who.cookie : undefined);
  const state: MediaPage['state'] = {};
  const closed: string[] = [];
  socket.on('lesson:state', (s) => (state.lesson = s));
  socket.on('interaction:state', (s) => (state.interaction = s));
  socket.on('consumer:closed', ({ consumerId }) => closed.push(consumerId));
  const join = await ok(socket, 'lesson:join', {
    lessonId,
    role: who.role,
    ...(who.role === 'classroom' ? { token: who.token } : {}),
  });
  const sink = new RtpSink();
  const t = await openPlainReceiver(socket, { srtp: false, sinkPort: await sink.bind() });
  cleanups.push(
    () => socket.disconnect(),
    () => sink.close(),
  );
  return { socket, join, state, sink, recvTransportId: t.id, closed };
}

/** A resumed consumer of `producerId` on the page's receive transport: its id and the SSRC the sink will see. */
export async function consume(p: MediaPage, producerId: string): Promise<{ id: string; ssrc: number }> {
  const { id, ssrc } = await consumeResumed(
    p.socket,
    p.recvTransportId,
    producerId,
    p.join.routerRtpCapabilities,
  );
  return { id, ssrc };
}
