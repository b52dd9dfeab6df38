/**
 * A WebRTC transport on the SFU, created through signaling and connected
 * (DTLS) on first use. Shared by the host's send side and the classroom's
 * receive side.
 *
 * Its ICE is looked after here: a transport whose connection goes
 * `disconnected` (and stays so for a moment) or `failed` asks the server for
 * new ICE credentials (`media:restartIce`) and restarts ICE with them, once
 * the page is in the lesson (after a dropped connection, once it has taken its
 * place back). Still not connected a few seconds after the restart, while the
 * page is in the lesson: the link fails, and the session rebuilds the media.
 *
 * Connected again after any break, the pictures it carries are stale, and the browser alone is slow to
 * say so: its decoder's request for a key frame, sent as the first packets come back, is lost while its
 * ICE is not yet writable, and it asks again only after 3 s without a frame (the teacher's picture came
 * back 2.2 s after the network in half of bench:networks' flaky runs). So the page asks the server for
 * key frames itself (`media:keyFrames`), as soon as it is in the lesson again — and makes the session
 * connect again at once (`pathBack`), rather than after socket.io's back-off.
 */
import type { types } from 'mediasoup-client';
import type { MediaLink } from './mediaSide.ts';
import { note } from './note.ts';
import { request, SignalError } from './signal.ts';

export type Transport = types.Transport;

/** `disconnected` often heals by itself (ICE consent resumes): a restart only if it lasts this long. */
export const ICE_GRACE_MS = 2_000;
/** After a restart, ICE must be connected again within this, or the media is rebuilt. */
export const ICE_RECOVER_MS = 6_000;

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export async function openTransport(link: MediaLink, direction: 'send' | 'recv'): Promise<Transport> {
  const info = await request(link.socket, 'media:createTransport', { direction });
  const options = { ...info, ...link.transportOptions() };
  const transport =
    direction === 'send'
      ? link.device.createSendTransport(options)
      : link.device.createRecvTransport(options);

  transport.on('connect', ({ dtlsParameters }, done, fail) => {
    request(link.socket, 'media:connectTransport', { transportId: transport.id, dtlsParameters }).then(
      () => done(),
      (error: unknown) => fail(asError(error)),
    );
  });
  keepIce(link, transport, direction);
  return transport;
}

const broken = (transport: Transport): boolean =>
  !transport.closed &&
  (transport.connectionState === 'disconnected' || transport.connectionState === 'failed');

/** Resolves true once the transport is connected, false after `ms` or when it closes. */
function connectedWithin(transport: Transport, ms: number): Promise<boolean> {
  if (transport.connectionState === 'connected') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (connected: boolean): void => {
      clearTimeout(timer);
      transport.off('connectionstatechange', onState);
      transport.observer.off('close', onClose);
      resolve(connected);
    };
    const onState = (state: string): void => {
      if (state === 'connected') done(true);
    };
    const onClose = (): void => done(false);
    const timer = setTimeout(() => done(false), ms);
    transport.on('connectionstatechange', onState);
    transport.observer.on('close', onClose);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function freshPictures(link: MediaLink, transport: Transport): Promise<void> {
  link.pathBack();
  if (!(await link.whenOnline()) || transport.closed) return;
  try {
    await request(link.socket, 'media:keyFrames', { transportId: transport.id });
  } catch (error) {
    // The browser asks by itself a little later: slower, not lost.
    console.warn('[cloudschool] could not ask for fresh pictures:', error);
  }
}

/** Restarts the transport's ICE whenever it breaks, and asks for fresh pictures once it is back (see the header). */
export function keepIce(link: MediaLink, transport: Transport, direction: 'send' | 'recv'): void {
  let watching = false;
  let broke = false;

  const watch = async (wait: number): Promise<void> => {
    watching = true;
    const since = Date.now();
    try {
      await sleep(wait);
      while (broken(transport)) {
        // After a dropped connection: once the page has taken its place back. A link given up: the
        // rebuild that gave it up makes new transports.
        if (!(await link.whenOnline())) return;
        if (!broken(transport)) break;
        try {
          const { iceParameters } = await request(link.socket, 'media:restartIce', {
            transportId: transport.id,
          });
          if (transport.closed) return;
          await transport.restartIce({ iceParameters });
          link.iceRestarted();
        } catch (error) {
          // The connection dropped meanwhile: again once the page is back.
          if (error instanceof SignalError && error.code === 'not_joined') continue;
          // The server does not know the transport any more, or did not answer.
          link.fail(error);
          return;
        }
        if (await connectedWithin(transport, ICE_RECOVER_MS)) break;
        if (transport.closed) return;
        if (link.online) {
          link.fail(new Error(`${direction} transport: ICE did not come back after a restart`));
          return;
        }
        // The connection dropped meanwhile: restart again once the page is back.
      }
      if (transport.connectionState === 'connected') {
        note(`${direction} transport: ICE connected again ${Date.now() - since} ms after it broke`);
      }
    } finally {
      watching = false;
    }
  };

  transport.on('connectionstatechange', (state) => {
    if (state === 'connected') {
      if (broke) void freshPictures(link, transport);
      broke = false;
    } else if (state === 'disconnected' || state === 'failed') {
      broke = true;
    }
    if (watching || (state !== 'disconnected' && state !== 'failed')) return;
    void watch(state === 'failed' ? 0 : ICE_GRACE_MS);
  });
}
