/** Publishing and receiving raw RTP over the real protocol (plain transports, enabled in test servers). */
import type { JoinResult, LessonState } from '../../src/protocol/index.ts';
import { audioRtpParameters, videoRtpParameters } from './rtp.ts';
import type { RtpSender } from './rtp.ts';
import { ok } from './server.ts';
import type { ClientSocket } from './server.ts';

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
