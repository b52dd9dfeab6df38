/**
 * A WebRTC transport on the SFU, created through signaling and connected
 * (DTLS) on first use. Shared by the host's send side and the classroom's
 * receive side.
 */
import type { types } from 'mediasoup-client';
import type { MediaLink } from './lessonSession.ts';
import { request } from './signal.ts';

export type Transport = types.Transport;

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export async function openTransport(link: MediaLink, direction: 'send' | 'recv'): Promise<Transport> {
  const info = await request(link.socket, 'media:createTransport', { direction });
  const transport =
    direction === 'send' ? link.device.createSendTransport(info) : link.device.createRecvTransport(info);

  transport.on('connect', ({ dtlsParameters }, done, fail) => {
    request(link.socket, 'media:connectTransport', { transportId: transport.id, dtlsParameters }).then(
      () => done(),
      (error: unknown) => fail(asError(error)),
    );
  });
  // 'disconnected' often heals by itself (ICE consent resumes); 'failed' does not.
  transport.on('connectionstatechange', (state) => {
    if (state === 'failed') link.fail(new Error(`${direction} transport failed`));
  });
  return transport;
}
