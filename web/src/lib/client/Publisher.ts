/**
 * A page's send side: one send transport, one producer per track kind
 * (camera video, microphone audio), and on the host console the shared screen
 * (a third producer on the same transport). The page owns the tracks (they also
 * feed the preview); this class only sends them. The host's console uses it with
 * `hostProduceOptions`; a classroom through ClassroomPublisher.
 *
 * "Live" is the sender's intent: it survives reconnects and media server
 * restarts, after which the producers are made again on the new transport.
 */
import type { Device, types } from 'mediasoup-client';
import type { MediaKind, MediaSource } from '@cloudschool/protocol';
import type { MediaLink, MediaSide } from './mediaSide.ts';
import { serial } from '@cloudschool/protocol';
import type { StatsSource } from './inboundStats.ts';
import { request } from './signal.ts';
import { asError, openTransport, type Transport } from './transport.ts';

const kinds: readonly MediaKind[] = ['video', 'audio'];

/** How a kind is sent (encodings, codec), chosen once the device knows what it can send. */
export type ProduceOptions = (
  kind: MediaKind,
  device: Device,
) => Pick<types.ProducerOptions, 'encodings' | 'codec' | 'codecOptions'>;

/**
 * The host's camera in three layers (≈ 320×180, 640×360, 1280×720 from a 720p camera), each with three
 * temporal layers (L1T3): the server sends each classroom the biggest layer and frame rate its link
 * carries (mediasoup's per-consumer bandwidth estimation), so a weak link lowers its own picture only.
 * 360p at 350 kbit/s leaves room for voice on a 600 kbit/s rural line (measured: its estimate there ≈ 420–500).
 */
export const HOST_ENCODINGS: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 2, maxBitrate: 350_000, scalabilityMode: 'L1T3' },
  { scaleResolutionDownBy: 1, maxBitrate: 1_800_000, scalabilityMode: 'L1T3' },
];

/** Voice: Opus with in-band FEC, so a lost packet is rebuilt from the next one. */
const HOST_AUDIO: Pick<types.ProducerOptions, 'codecOptions'> = { codecOptions: { opusFec: true } };

/** The device's VP8 codec, if it has one (simulcast with temporal layers works with it in every browser). */
export function vp8(device: Device): types.RtpCodecCapability | undefined {
  return device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
}

/**
 * How the host console sends: its camera in simulcast (`HOST_ENCODINGS`, VP8), or with `layers: 1` as one
 * encoding of the browser's choosing (the `?layers=1` switch, for benchmarks of "adaptation off").
 */
export function hostProduceOptions(layers: 1 | 3): ProduceOptions {
  return (kind, device) => {
    if (kind === 'audio') return HOST_AUDIO;
    if (layers === 1) return {};
    const codec = vp8(device);
    return { encodings: HOST_ENCODINGS, ...(codec ? { codec } : {}) };
  };
}

/**
 * A shared screen, sent for legibility from the back row: always at the screen's own resolution (up to
 * 1920 × 1080), in two simulcast encodings that differ in frame rate and bitrate, not in size — a
 * classroom whose link is short gets the same sharp picture less often, never a blurred one (a 540p copy
 * of 14 px text is unreadable). The full one: ≤ 15 fps, ≤ 2.5 Mbit/s. The light one, for rural links
 * (600 kbit/s shared with the teacher's camera and voice): ≤ 2 fps, ≤ 300 kbit/s. Measured with one
 * full encoding only, a rural classroom decoded no frame in 30 s (bench/results/screen-share.md).
 */
export const SCREEN_ENCODINGS: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 1, maxBitrate: 300_000, maxFramerate: 2 },
  { scaleResolutionDownBy: 1, maxBitrate: 2_500_000, maxFramerate: 15 },
];

/** What the screen sets on its sender: resolution first, frame rate last. */
export const SCREEN_DEGRADATION: RTCDegradationPreference = 'maintain-resolution';

export class Publisher implements MediaSide {
  readonly #onChange: (sending: boolean) => void;
  readonly #options: ProduceOptions | undefined;
  #tracks: Record<MediaKind, MediaStreamTrack | null> = { video: null, audio: null };
  #wantLive = false;
  #link: MediaLink | null = null;
  #transport: Transport | null = null;
  #producers = new Map<MediaKind, types.Producer>();
  /** The host's shared screen: its track (the teacher's intent, like `#wantLive`) and its producer. */
  #screenTrack: MediaStreamTrack | null = null;
  #screen: types.Producer | null = null;
  readonly #serial = serial();

  /**
   * @param onChange told whether producers are sending, after every change
   * @param options per-kind producer options (default: one encoding, the browser's codec)
   */
  constructor(onChange: (sending: boolean) => void, options?: ProduceOptions) {
    this.#onChange = onChange;
    this.#options = options;
  }

  get sending(): boolean {
    return this.#producers.size > 0;
  }

  /** The sender wants to be live (goLive and no stopLive since). */
  get wantLive(): boolean {
    return this.#wantLive;
  }

  /** The send transport's getStats(), for the page's quality reports (null without one). */
  async stats(): Promise<StatsSource | null> {
    const transport = this.#transport;
    return transport && !transport.closed ? transport.getStats() : null;
  }

  /** Every kind that has a track has a producer. */
  get complete(): boolean {
    return kinds.every((kind) => !this.#tracks[kind] || this.#producers.has(kind));
  }

  async start(link: MediaLink): Promise<void> {
    this.#link = link;
    if (this.#wantLive) await this.#serial(() => this.#publish(link));
    if (this.#screenTrack) await this.#serial(() => this.#publishScreen(link));
  }

  /** The shared screen is being sent. */
  get sharing(): boolean {
    return this.#screen !== null;
  }

  /**
   * Sends a shared screen (a track from getDisplayMedia) as its own producer; it is sent again after a
   * reconnect until `stopScreen()`. Rejects if it could not be sent (the track is then forgotten).
   */
  async shareScreen(track: MediaStreamTrack): Promise<void> {
    const link = this.#link;
    if (!link) throw new Error('not in the lesson');
    this.#screenTrack = track;
    try {
      await this.#serial(() => this.#publishScreen(link));
    } catch (error) {
      this.#screenTrack = null;
      await this.#serial(() => this.#unpublishScreen());
      throw error;
    }
  }

  /** Stops sending the screen: its producer closes on the server, classrooms go back to the camera. */
  async stopScreen(): Promise<void> {
    this.#screenTrack = null;
    await this.#serial(() => this.#unpublishScreen());
  }

  update(): void {
    // The host's media does not depend on the lesson state.
  }

  stop(): void {
    this.#link = null;
    // Closing the transport closes its producers too.
    this.#transport?.close();
    this.#transport = null;
    this.#producers.clear();
    this.#screen = null;
    this.#onChange(false);
  }

  /** Starts sending. Rejects if it could not; the teacher can then try again. */
  async goLive(): Promise<void> {
    if (!kinds.some((kind) => this.#tracks[kind])) throw new Error('no camera or microphone track');
    this.#wantLive = true;
    const link = this.#link;
    // Without a link yet, start() publishes once the lesson is joined.
    if (!link) return;
    try {
      await this.#serial(() => this.#publish(link));
    } catch (error) {
      this.#wantLive = false;
      await this.#serial(() => this.#unpublish());
      throw error;
    }
  }

  async stopLive(): Promise<void> {
    this.#wantLive = false;
    await this.#serial(() => this.#unpublish());
  }

  /** A new track from the device pickers (null when the device was lost). */
  async setTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    this.#tracks[kind] = track;
    await this.#serial(async () => {
      const link = this.#link;
      const producer = this.#producers.get(kind);
      // Swapping the track keeps the producer, so classrooms see no gap in the lesson state.
      if (producer) await producer.replaceTrack({ track });
      else if (track && this.#wantLive && link) await this.#publish(link);
    });
  }

  /** Produces every kind that has a track and no producer yet. */
  async #publish(link: MediaLink): Promise<void> {
    // Queued behind an operation that outlived its link.
    if (this.#link !== link) return;
    // Devices lost while live: nothing to send until a picker brings a track back.
    if (!kinds.some((kind) => this.#tracks[kind])) return;
    const transport = await this.#sendTransport(link);
    if (!transport) return;
    for (const kind of kinds) {
      const track = this.#tracks[kind];
      if (!track || this.#producers.has(kind)) continue;
      // stopTracks: false, because the preview keeps showing the track after a stop.
      const options = this.#options?.(kind, link.device) ?? {};
      const producer = await transport.produce({ track, stopTracks: false, ...options });
      // stop() closed the transport meanwhile, and the producer with it.
      if (this.#link !== link) return;
      this.#producers.set(kind, producer);
      this.#onChange(true);
    }
  }

  /** The page's send transport, opened on first use; null if the link went meanwhile. */
  async #sendTransport(link: MediaLink): Promise<Transport | null> {
    if (this.#transport) return this.#transport;
    const transport = await this.#openSendTransport(link);
    if (this.#link !== link) {
      transport.close();
      return null;
    }
    this.#transport = transport;
    return transport;
  }

  async #publishScreen(link: MediaLink): Promise<void> {
    const track = this.#screenTrack;
    if (this.#link !== link || !track || this.#screen) return;
    const transport = await this.#sendTransport(link);
    if (!transport) return;
    const codec = vp8(link.device);
    const producer = await transport.produce({
      track,
      stopTracks: false,
      encodings: SCREEN_ENCODINGS,
      ...(codec ? { codec } : {}),
      appData: { source: 'screen' satisfies MediaSource },
    });
    if (this.#link !== link) return;
    this.#screen = producer;
    // Not every browser lets the page choose (Chromium does): then it decides by the track's contentHint.
    const sender = producer.rtpSender;
    if (sender) {
      const parameters = sender.getParameters();
      parameters.degradationPreference = SCREEN_DEGRADATION;
      await sender.setParameters(parameters).catch((error: unknown) => {
        console.warn('[cloudschool] screen degradation preference', error);
      });
    }
  }

  async #unpublishScreen(): Promise<void> {
    const producer = this.#screen;
    this.#screen = null;
    if (!producer) return;
    producer.close();
    const link = this.#link;
    if (!link) return;
    try {
      await request(link.socket, 'media:closeProducer', { producerId: producer.id });
    } catch (error) {
      link.fail(error);
    }
  }

  async #unpublish(): Promise<void> {
    const link = this.#link;
    const producers = [...this.#producers.values()];
    this.#producers.clear();
    this.#onChange(false);
    for (const producer of producers) producer.close();
    if (!link) return;
    try {
      await Promise.all(
        producers.map((producer) => request(link.socket, 'media:closeProducer', { producerId: producer.id })),
      );
    } catch (error) {
      // The server may still list the producers: joining again clears them.
      link.fail(error);
    }
  }

  async #openSendTransport(link: MediaLink): Promise<Transport> {
    const transport = await openTransport(link, 'send');
    transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
      const source: MediaSource =
        appData['source'] === 'screen' ? 'screen' : kind === 'video' ? 'camera' : 'mic';
      request(link.socket, 'media:produce', { transportId: transport.id, kind, source, rtpParameters }).then(
        ({ producerId }) => done({ id: producerId }),
        (error: unknown) => fail(asError(error)),
      );
    });
    return transport;
  }
}
