/**
 * The classroom's receive side: one receive transport and one consumer per
 * producer of the host, kept in step with every lesson state push.
 */
import type { types } from 'mediasoup-client';
import type { LessonState, ProducerInfo } from '@cloudschool/signaling/protocol';
import { audioInbound, videoInbound, type InboundStats } from './inboundStats.ts';
import type { MediaLink, MediaSide } from './lessonSession.ts';
import { clientRtpParameters } from './serverTypes.ts';
import { request, SignalError } from './signal.ts';
import { openTransport, type Transport } from './transport.ts';

export class Receiver implements MediaSide {
  readonly #onTracks: (tracks: MediaStreamTrack[]) => void;
  #link: MediaLink | null = null;
  #transport: Transport | null = null;
  /** By producer id. */
  #consumers = new Map<string, types.Consumer>();
  #wanted: readonly ProducerInfo[] = [];
  #reconciling = false;
  #again = false;

  /** @param onTracks told the tracks to play (video first), after every change */
  constructor(onTracks: (tracks: MediaStreamTrack[]) => void) {
    this.#onTracks = onTracks;
  }

  async start(link: MediaLink): Promise<void> {
    this.#link = link;
    const transport = await openTransport(link, 'recv');
    if (this.#link !== link) {
      transport.close();
      return;
    }
    this.#transport = transport;
    link.socket.on('consumer:closed', this.#onConsumerClosed);
  }

  update(state: LessonState): void {
    this.#wanted = state.producers;
    void this.#reconcile();
  }

  stop(): void {
    this.#link?.socket.off('consumer:closed', this.#onConsumerClosed);
    this.#link = null;
    // Closing the transport closes its consumers too.
    this.#transport?.close();
    this.#transport = null;
    this.#consumers.clear();
    this.#emit();
  }

  async stats(): Promise<InboundStats> {
    const stats: InboundStats = { video: null, audio: null };
    for (const consumer of this.#consumers.values()) {
      const report = await consumer.getStats();
      const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
      if (consumer.kind === 'video') stats.video = videoInbound(report, ssrc);
      else stats.audio = audioInbound(report, ssrc);
    }
    return stats;
  }

  readonly #onConsumerClosed = ({ consumerId }: { consumerId: string }): void => {
    for (const [producerId, consumer] of this.#consumers) {
      if (consumer.id !== consumerId) continue;
      consumer.close();
      this.#consumers.delete(producerId);
      this.#emit();
    }
    // If its producer is still listed, consume it again.
    void this.#reconcile();
  };

  /** Brings the consumers in line with #wanted; one pass at a time, repeated while pushes keep coming. */
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
    const wanted = new Set(this.#wanted.map((producer) => producer.id));
    for (const [producerId, consumer] of this.#consumers) {
      if (wanted.has(producerId)) continue;
      consumer.close();
      this.#consumers.delete(producerId);
    }
    this.#emit();
    for (const producerId of wanted) {
      if (this.#consumers.has(producerId)) continue;
      await this.#consume(link, transport, producerId);
      if (this.#link !== link) return;
      this.#emit();
    }
  }

  async #consume(link: MediaLink, transport: Transport, producerId: string): Promise<void> {
    let info;
    try {
      info = await request(link.socket, 'media:consume', {
        transportId: transport.id,
        producerId,
        rtpCapabilities: link.device.recvRtpCapabilities,
      });
    } catch (error) {
      // The producer closed in the meantime: the next state push drops it.
      if (error instanceof SignalError && error.code === 'not_found') return;
      throw error;
    }
    const consumer = await transport.consume({
      id: info.id,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: clientRtpParameters(info.rtpParameters),
    });
    if (this.#link !== link) return;
    // The server creates consumers paused, so that no media is lost before this point.
    await request(link.socket, 'media:resumeConsumer', { consumerId: consumer.id });
    if (this.#link !== link) return;
    this.#consumers.set(producerId, consumer);
  }

  #emit(): void {
    const consumers = [...this.#consumers.values()];
    consumers.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'video' ? -1 : 1));
    this.#onTracks(consumers.map((consumer) => consumer.track));
  }
}
