/**
 * A live lesson's host camera as a small picture on the coordinators' wall: a connection of its own joined
 * as an observer (seen by nobody, like a patrol), one receive transport and one consumer — the host's camera
 * at its lowest layer (`thumbnail`), no sound. It follows the host's camera as lesson states come (a reload
 * is a new producer); a dropped connection joins again. Opened while the lesson's card is on screen.
 */
import type { types } from 'mediasoup-client';
import type { JoinResult, LessonState } from '@cloudschool/protocol';
import { loadDevice } from './lessonSession.ts';
import type { MediaLink } from './mediaSide.ts';
import { clientRtpParameters } from './serverTypes.ts';
import { connectSignal, request } from './signal.ts';
import type { LessonSocket } from './signal.ts';
import { openTransport } from './transport.ts';
import type { Transport } from './transport.ts';

/** The host's camera in a lesson state, if it broadcasts. */
export function hostCamera(state: LessonState): string | null {
  return state.producers.find((p) => p.classroomId === null && p.source === 'camera')?.id ?? null;
}

export class HostThumbnail {
  readonly #lessonId: string;
  readonly #show: (track: MediaStreamTrack | null) => void;
  readonly #socket: LessonSocket;
  #link: MediaLink | null = null;
  #transport: Transport | null = null;
  #consumer: types.Consumer | null = null;
  /** The producer shown (or being consumed). */
  #producerId: string | null = null;
  #closed = false;

  constructor(lessonId: string, show: (track: MediaStreamTrack | null) => void) {
    this.#lessonId = lessonId;
    this.#show = show;
    this.#socket = connectSignal();
    this.#socket.on('connect', () => void this.#join().catch((error: unknown) => this.#failed(error)));
    this.#socket.on('disconnect', () => this.#drop());
    this.#socket.on(
      'lesson:state',
      (state) => void this.#follow(state).catch((e: unknown) => this.#failed(e)),
    );
    this.#socket.on('media:reset', () => this.#socket.disconnect().connect());
  }

  close(): void {
    this.#closed = true;
    this.#drop();
    this.#socket.disconnect();
  }

  async #join(): Promise<void> {
    const joined: JoinResult = await request(this.#socket, 'lesson:join', {
      lessonId: this.#lessonId,
      role: 'observer',
    });
    const device = await loadDevice(joined.routerRtpCapabilities);
    if (this.#closed) return;
    const link: MediaLink = {
      socket: this.#socket,
      device,
      joined,
      online: true,
      whenOnline: async () => this.#link === link && this.#socket.connected,
      transportOptions: () => ({ iceServers: joined.iceServers, iceTransportPolicy: 'all' }),
      iceRestarted: () => undefined,
      pathBack: () => undefined,
      fail: (error) => this.#failed(error),
    };
    this.#link = link;
    this.#transport = await openTransport(link, 'recv');
    await this.#follow(joined.state);
  }

  async #follow(state: LessonState): Promise<void> {
    const link = this.#link;
    const transport = this.#transport;
    if (!link || !transport || this.#closed) return;
    const producerId = hostCamera(state);
    if (producerId === this.#producerId) return;
    this.#producerId = producerId;
    this.#consumer?.close();
    this.#consumer = null;
    this.#show(null);
    if (!producerId) return;
    const info = await request(this.#socket, 'media:consume', {
      transportId: transport.id,
      producerId,
      rtpCapabilities: link.device.recvRtpCapabilities,
      thumbnail: true,
    });
    const consumer = await transport.consume({
      id: info.id,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: clientRtpParameters(info.rtpParameters),
    });
    // Another camera, a drop or a close came meanwhile: this one is not shown.
    if (this.#producerId !== producerId || this.#link !== link) {
      consumer.close();
      return;
    }
    this.#consumer = consumer;
    await request(this.#socket, 'media:resumeConsumer', { consumerId: consumer.id });
    this.#show(consumer.track);
  }

  /** The media goes with the connection; the next connection joins again. */
  #drop(): void {
    this.#consumer?.close();
    this.#transport?.close();
    this.#consumer = null;
    this.#transport = null;
    this.#link = null;
    this.#producerId = null;
    this.#show(null);
  }

  /** A thumbnail that cannot show is no reason to stop the wall: it says so and tries again with the next connection. */
  #failed(error: unknown): void {
    console.warn('[cloudschool] wall picture:', error);
    this.#drop();
    if (!this.#closed) setTimeout(() => !this.#closed && this.#socket.disconnect().connect(), 5_000);
  }
}
