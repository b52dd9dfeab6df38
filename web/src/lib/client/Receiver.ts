/**
 * The receive side of every page: one receive transport, one consumer per
 * wanted producer. Two things are wanted:
 *
 * - the lesson's main media (`LessonState.producers`: the host's and the
 *   on-stage classrooms' camera and microphone), except this page's own:
 *   a classroom skips its own classroom id, the host skips the host's (null);
 * - the host side's grid: the cameras of the tiles on the visible page, set
 *   with `setGrid()`. A tile that leaves the page is closed here and on the
 *   server (`media:closeConsumer`), so the SFU stops forwarding it.
 *
 * A producer wanted both ways (an on-stage classroom's camera on the visible
 * page) has one consumer, shared. The server picks the simulcast layer when a
 * consumer is made (a tile's is small, a stage camera's full), so a tile's
 * consumer is made again when its classroom goes on stage. Consumers are kept
 * in step with every lesson state push and grid change, and rebuilt after any
 * recovery but one: a page that takes its place back after a dropped
 * connection (`resumed`) keeps those the server kept.
 */
import type { types } from 'mediasoup-client';
import type { JoinResult, LessonState, MediaKind, ProducerInfo } from '@cloudschool/protocol';
import {
  audioInbound,
  screenInbound,
  videoInbound,
  type ConsumerStats,
  type ScreenInbound,
  type StatsSource,
} from './inboundStats.ts';
import type { MediaLink, MediaSide } from './mediaSide.ts';
import { clientRtpParameters } from './serverTypes.ts';
import { request, SignalError } from './signal.ts';
import { openTransport, type Transport } from './transport.ts';

/** A tile of the host side's grid whose camera should be received. */
export interface GridWant {
  classroomId: string;
  producerId: string;
}

/** A track being received, and why. */
export interface Received {
  producerId: string;
  /** Null for the host's media. */
  classroomId: string | null;
  kind: MediaKind;
  track: MediaStreamTrack;
  /** Part of the lesson's main media (host or stage). */
  main: boolean;
  /** A grid tile's camera. */
  grid: boolean;
  /** The host teacher's shared screen (main media too). */
  screen: boolean;
}

interface Want {
  classroomId: string | null;
  main: boolean;
  grid: boolean;
  screen: boolean;
}

interface Held {
  consumer: types.Consumer;
  classroomId: string | null;
  /** Made for the main media (the server chose the full picture). */
  main: boolean;
}

/**
 * What the server may refuse about one producer without anything being
 * broken: gone meanwhile, off the stage meanwhile, too many tiles for a
 * moment. The next state push or page change sorts it out.
 */
const SKIPPABLE = new Set(['not_found', 'forbidden', 'conflict']);

/**
 * Whose main media this page does not play: its own. `undefined` plays
 * everything (an observer); null skips the host's.
 */
export function ownPublisher(joined: Pick<JoinResult, 'role' | 'classroomId'>): string | null | undefined {
  if (joined.role === 'host') return null;
  if (joined.role === 'classroom') return joined.classroomId ?? undefined;
  return undefined;
}

/** The producers a page wants, by producer id: main media except its own, plus grid tiles. */
export function wantedProducers(
  main: readonly ProducerInfo[],
  grid: readonly GridWant[],
  own: string | null | undefined,
): Map<string, Want> {
  const wanted = new Map<string, Want>();
  for (const producer of main) {
    if (own !== undefined && producer.classroomId === own) continue;
    wanted.set(producer.id, {
      classroomId: producer.classroomId,
      main: true,
      grid: false,
      screen: producer.source === 'screen',
    });
  }
  for (const tile of grid) {
    const both = wanted.get(tile.producerId);
    if (both) both.grid = true;
    else
      wanted.set(tile.producerId, { classroomId: tile.classroomId, main: false, grid: true, screen: false });
  }
  return wanted;
}

/** The host's own camera and sound among those received, for a page's big <video> (not its screen). */
export function hostTracks(received: readonly Received[]): MediaStreamTrack[] {
  return received.filter((r) => r.main && r.classroomId === null && !r.screen).map((r) => r.track);
}

/** The host teacher's shared screen among those received, if any. */
export function hostScreen(received: readonly Received[]): MediaStreamTrack | null {
  return received.find((r) => r.screen)?.track ?? null;
}

export class Receiver implements MediaSide {
  readonly #onChange: (received: Received[]) => void;
  #link: MediaLink | null = null;
  #transport: Transport | null = null;
  #own: string | null | undefined = undefined;
  /** By producer id. */
  #consumers = new Map<string, Held>();
  #main: readonly ProducerInfo[] = [];
  #grid: readonly GridWant[] = [];
  #wanted = new Map<string, Want>();
  #reconciling = false;
  #again = false;

  /** @param onChange told every track being received, after every change */
  constructor(onChange: (received: Received[]) => void) {
    this.#onChange = onChange;
  }

  async start(link: MediaLink): Promise<void> {
    this.#link = link;
    this.#own = ownPublisher(link.joined);
    this.#rewant();
    const transport = await openTransport(link, 'recv');
    if (this.#link !== link) {
      transport.close();
      return;
    }
    this.#transport = transport;
    link.socket.on('consumer:closed', this.#onConsumerClosed);
    // Grid tiles may have been chosen before the link was up.
    void this.#reconcile();
  }

  update(state: LessonState): void {
    this.#main = state.producers;
    this.#rewant();
    void this.#reconcile();
  }

  /** The grid's visible tiles (host side): these cameras are received, any other tile's is closed. */
  setGrid(tiles: readonly GridWant[]): void {
    this.#grid = tiles;
    this.#rewant();
    void this.#reconcile();
  }

  /**
   * Back after a dropped connection: the consumers the server closed meanwhile go; those the server made
   * but this page never took (a request cut off by the drop) are closed there. The state push that
   * follows brings back whatever is still wanted.
   */
  resumed(consumerIds: readonly string[]): void {
    const kept = new Set(consumerIds);
    const held = new Set<string>();
    for (const [producerId, { consumer }] of this.#consumers) {
      held.add(consumer.id);
      if (kept.has(consumer.id)) continue;
      consumer.close();
      this.#consumers.delete(producerId);
    }
    this.#emit();
    const link = this.#link;
    if (!link) return;
    for (const consumerId of kept) {
      if (!held.has(consumerId)) void this.#closeOnServer(link, consumerId);
    }
  }

  stop(): void {
    this.#link?.socket.off('consumer:closed', this.#onConsumerClosed);
    this.#link = null;
    // Closing the transport closes its consumers too; the server forgets them with the transport.
    this.#transport?.close();
    this.#transport = null;
    this.#consumers.clear();
    this.#emit();
  }

  /** getStats() of every consumer, for window.__cloudschool. */
  async stats(): Promise<ConsumerStats[]> {
    const out: ConsumerStats[] = [];
    for (const [producerId, { consumer, classroomId }] of this.#consumers) {
      const want = this.#wanted.get(producerId);
      const report = await consumer.getStats();
      const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
      const base = { classroomId, main: want?.main ?? false, grid: want?.grid ?? false };
      if (consumer.kind === 'video') out.push({ ...base, kind: 'video', video: videoInbound(report, ssrc) });
      else out.push({ ...base, kind: 'audio', audio: audioInbound(report, ssrc) });
    }
    return out;
  }

  /** getStats() of the shared screen's consumer (what the projector decodes), null without one. */
  async screenStats(): Promise<ScreenInbound | null> {
    for (const [producerId, { consumer }] of this.#consumers) {
      if (!this.#wanted.get(producerId)?.screen) continue;
      return screenInbound(await consumer.getStats(), consumer.rtpParameters.encodings?.[0]?.ssrc);
    }
    return null;
  }

  /** The page should be playing main media (the host's, or an on-stage classroom's). */
  get wantsMain(): boolean {
    return [...this.#wanted.values()].some((want) => want.main);
  }

  /**
   * For the page's quality reports: the receive transport's getStats() and the SSRCs of the main media
   * it plays — the host's if it receives it (a classroom), else the on-stage classrooms' (the host).
   * Null without a transport.
   */
  async qualityStats(): Promise<{ report: StatsSource; ssrcs: Set<number> } | null> {
    const transport = this.#transport;
    if (!transport || transport.closed) return null;
    const main = [...this.#consumers].filter(([producerId]) => this.#wanted.get(producerId)?.main);
    const host = main.filter(([, held]) => held.classroomId === null);
    const ssrcs = new Set<number>();
    for (const [, { consumer }] of host.length > 0 ? host : main) {
      const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
      if (ssrc !== undefined) ssrcs.add(ssrc);
    }
    return { report: await transport.getStats(), ssrcs };
  }

  #rewant(): void {
    this.#wanted = wantedProducers(this.#main, this.#grid, this.#own);
  }

  readonly #onConsumerClosed = ({ consumerId }: { consumerId: string }): void => {
    for (const [producerId, held] of this.#consumers) {
      if (held.consumer.id !== consumerId) continue;
      held.consumer.close();
      this.#consumers.delete(producerId);
      this.#emit();
    }
    // If its producer is still wanted, consume it again.
    void this.#reconcile();
  };

  /** Brings the consumers in line with #wanted; one pass at a time, repeated while changes keep coming. */
  async #reconcile(): Promise<void> {
    if (this.#reconciling) {
      this.#again = true;
      return;
    }
    this.#reconciling = true;
    try {
      do {
        this.#again = false;
        const link = this.#link;
        const transport = this.#transport;
        if (!link || !transport) return;
        try {
          await this.#reconcileOnce(link, transport);
        } catch (error) {
          // The connection dropped: the page takes its place back (resumed(), then update()) or starts over.
          if (error instanceof SignalError && error.code === 'not_joined') return;
          if (this.#link === link) link.fail(error);
          return;
        }
        // A restart meanwhile: go round again on the new transport.
        if (this.#link !== link) this.#again = true;
      } while (this.#again);
    } finally {
      this.#reconciling = false;
    }
  }

  async #reconcileOnce(link: MediaLink, transport: Transport): Promise<void> {
    const wanted = this.#wanted;
    const dropped: string[] = [];
    for (const [producerId, held] of this.#consumers) {
      const want = wanted.get(producerId);
      // Kept, unless a tile's small picture is now wanted full size on stage.
      if (want && (held.main || !want.main)) continue;
      held.consumer.close();
      this.#consumers.delete(producerId);
      dropped.push(held.consumer.id);
    }
    this.#emit();
    // The server stops forwarding (a tile off the page) before the next page's tiles are asked for:
    // it allows only so many tiles at once.
    await Promise.all(dropped.map((consumerId) => this.#closeOnServer(link, consumerId)));
    if (this.#link !== link) return;
    const missing = [...wanted].filter(([producerId]) => !this.#consumers.has(producerId));
    // In parallel: a new grid page asks for up to 16 cameras at once.
    await Promise.all(
      missing.map(async ([producerId, want]) => {
        const consumer = await this.#consume(link, transport, producerId);
        if (!consumer || this.#link !== link) return;
        // Unwanted meanwhile (the page turned again): the next pass closes it.
        this.#consumers.set(producerId, { consumer, classroomId: want.classroomId, main: want.main });
        if (!this.#wanted.has(producerId)) this.#again = true;
        this.#emit();
      }),
    );
  }

  async #closeOnServer(link: MediaLink, consumerId: string): Promise<void> {
    try {
      await request(link.socket, 'media:closeConsumer', { consumerId });
    } catch (error) {
      // Already gone with its producer: nothing to stop.
      if (error instanceof SignalError && error.code === 'not_found') return;
      console.warn('[cloudschool] media:closeConsumer', error);
    }
  }

  async #consume(link: MediaLink, transport: Transport, producerId: string): Promise<types.Consumer | null> {
    let info;
    try {
      info = await request(link.socket, 'media:consume', {
        transportId: transport.id,
        producerId,
        rtpCapabilities: link.device.recvRtpCapabilities,
      });
    } catch (error) {
      if (error instanceof SignalError && SKIPPABLE.has(error.code)) {
        console.warn(`[cloudschool] not receiving ${producerId} for now:`, error.message);
        return null;
      }
      throw error;
    }
    const consumer = await transport.consume({
      id: info.id,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: clientRtpParameters(info.rtpParameters),
    });
    if (this.#link !== link) return null;
    try {
      // The server creates consumers paused, so that no media is lost before this point.
      await request(link.socket, 'media:resumeConsumer', { consumerId: consumer.id });
    } catch (error) {
      consumer.close();
      throw error;
    }
    if (this.#link !== link) return null;
    return consumer;
  }

  #emit(): void {
    const received: Received[] = [];
    for (const [producerId, { consumer, classroomId }] of this.#consumers) {
      const want = this.#wanted.get(producerId);
      received.push({
        producerId,
        classroomId,
        kind: consumer.kind,
        track: consumer.track,
        main: want?.main ?? false,
        grid: want?.grid ?? false,
        screen: want?.screen ?? false,
      });
    }
    // Video first: a <video> given [video, audio] shows the picture and plays the sound.
    received.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'video' ? -1 : 1));
    this.#onChange(received);
  }
}
