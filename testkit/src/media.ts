/** Publishing and receiving raw RTP over the real protocol (plain transports, enabled in test servers). */
import type { InteractionState, JoinResult, LessonState } from '@cloudschool/protocol';
import { audioRtpParameters, RtpSink, videoRtpParameters } from './rtp.ts';
import type { RtpSender } from './rtp.ts';
import { connectClient, ok } from './client.ts';
import type { ClientSocket } from './client.ts';

/** Host: plain send transport + a VP8 and an Opus producer fed by an RtpSender. */
export async function publish(host: ClientSocket, sender: RtpSender): Promise<string[]> {
  const t = await ok(host, 'media:createPlainTransport', { direction: 'send' });
  const video = await ok(host, 'media:produce', {
    transportId: t.id,
    kind: 'video',
    source: 'camera',
    rtpParameters: videoRtpParameters,
  });
  const audio = await ok(host, 'media:produce', {
    transportId: t.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: audioRtpParameters,
  });
  sender.start(t.ip, t.port);
  return [video.producerId, audio.producerId];
}

/** A random SRTP key (AEAD_AES_256_GCM: 32-byte key + 12-byte salt) for a receive-only plain transport. */
export function srtpKey(): { cryptoSuite: 'AEAD_AES_256_GCM'; keyBase64: string } {
  return {
    cryptoSuite: 'AEAD_AES_256_GCM',
    keyBase64: Buffer.from(crypto.getRandomValues(new Uint8Array(44))).toString('base64'),
  };
}

/**
 * Classroom: plain recv transport to `sink` (SRTP-encrypted by the worker with `srtp`), one resumed consumer
 * per producer; returns the SSRCs it will see.
 */
export async function subscribe(
  classroom: ClientSocket,
  sinkPort: number,
  producerIds: string[],
  rtpCapabilities: JoinResult['routerRtpCapabilities'],
  srtp = false,
): Promise<Map<'audio' | 'video', number>> {
  const t = await ok(classroom, 'media:createPlainTransport', { direction: 'recv', srtp });
  await ok(classroom, 'media:connectPlainTransport', {
    transportId: t.id,
    ip: '127.0.0.1',
    port: sinkPort,
    ...(srtp ? { srtp: srtpKey() } : {}),
  });
  const ssrcs = new Map<'audio' | 'video', number>();
  for (const producerId of producerIds) {
    const c = await ok(classroom, 'media:consume', { transportId: t.id, producerId, rtpCapabilities });
    const ssrc = c.rtpParameters.encodings?.[0]?.ssrc;
    if (ssrc === undefined) throw new Error('consumer without ssrc');
    ssrcs.set(c.kind, ssrc);
    await ok(classroom, 'media:resumeConsumer', { consumerId: c.id });
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
  const port = await sink.bind();
  const t = await ok(socket, 'media:createPlainTransport', { direction: 'recv' });
  await ok(socket, 'media:connectPlainTransport', { transportId: t.id, ip: '127.0.0.1', port });
  cleanups.push(
    () => socket.disconnect(),
    () => sink.close(),
  );
  return { socket, join, state, sink, recvTransportId: t.id, closed };
}

/** A resumed consumer of `producerId` on the page's receive transport: its id and the SSRC the sink will see. */
export async function consume(p: MediaPage, producerId: string): Promise<{ id: string; ssrc: number }> {
  const c = await ok(p.socket, 'media:consume', {
    transportId: p.recvTransportId,
    producerId,
    rtpCapabilities: p.join.routerRtpCapabilities,
  });
  await ok(p.socket, 'media:resumeConsumer', { consumerId: c.id });
  const ssrc = c.rtpParameters.encodings?.[0]?.ssrc;
  if (ssrc === undefined) throw new Error('consumer without ssrc');
  return { id: c.id, ssrc };
}
