import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import { MediaError, NotFoundError } from './errors.ts';
import type { MediaRoom } from './MediaRoom.ts';
import type { TransportDirection } from './SfuTypes.ts';

export interface MediaPeerEvents {
  /** A consumer closed on the server side (its producer went away). */
  consumerclose: [consumerId: string];
  close: [];
}

export interface WebRtcTransportInfo {
  id: string;
  iceParameters: ms.IceParameters;
  iceCandidates: ms.IceCandidate[];
  dtlsParameters: ms.DtlsParameters;
}

type Transport = ms.WebRtcTransport | ms.PlainTransport;

/** Bandwidth caps: a host sends camera + voice; a classroom only receives. */
const MAX_INCOMING_BITRATE = 3_000_000;
const INITIAL_OUTGOING_BITRATE = 1_000_000;

/** One participant's transports, producers and consumers in a MediaRoom. */
export class MediaPeer extends EventEmitter<MediaPeerEvents> {
  readonly id: string;
  readonly #room: MediaRoom;
  readonly #transports = new Map<string, Transport>();
  readonly #producers = new Map<string, ms.Producer>();
  readonly #consumers = new Map<string, ms.Consumer>();
  #closed = false;

  constructor(id: string, room: MediaRoom) {
    super();
    this.id = id;
    this.#room = room;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get producerIds(): string[] {
    return [...this.#producers.keys()];
  }

  consumerCount(kind?: ms.MediaKind): number {
    if (!kind) return this.#consumers.size;
    let n = 0;
    for (const c of this.#consumers.values()) if (c.kind === kind) n++;
    return n;
  }

  async createWebRtcTransport(direction: TransportDirection): Promise<WebRtcTransportInfo> {
    this.#assertOpen();
    const transport = await this.#room.router.createWebRtcTransport({
      webRtcServer: this.#room.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: INITIAL_OUTGOING_BITRATE,
      appData: { peerId: this.id, direction },
    });
    if (direction === 'send') await transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE);
    this.#track(transport);
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  /** A plain RTP transport on loopback, for load and integration tests that speak raw RTP. */
  async createPlainTransport(
    direction: TransportDirection,
  ): Promise<{ id: string; ip: string; port: number }> {
    this.#assertOpen();
    const transport = await this.#room.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: direction === 'send',
      appData: { peerId: this.id, direction },
    });
    this.#track(transport);
    return { id: transport.id, ip: transport.tuple.localAddress, port: transport.tuple.localPort };
  }

  async connectWebRtcTransport(transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
    const transport = this.#transport(transportId);
    if (transport.type !== 'webrtc') throw new MediaError('not a WebRTC transport');
    await transport.connect({ dtlsParameters });
  }

  async connectPlainTransport(transportId: string, ip: string, port: number): Promise<void> {
    const transport = this.#transport(transportId);
    if (transport.type !== 'plain') throw new MediaError('not a plain transport');
    await transport.connect({ ip, port });
  }

  async produce(
    transportId: string,
    kind: ms.MediaKind,
    rtpParameters: ms.RtpParameters,
    appData: ms.AppData,
  ): Promise<ms.Producer> {
    const transport = this.#transport(transportId);
    if (transport.appData.direction !== 'send') throw new MediaError('transport is not for sending');
    let producer: ms.Producer;
    try {
      producer = await transport.produce({ kind, rtpParameters, appData: { ...appData, peerId: this.id } });
    } catch (error) {
      throw new MediaError(error instanceof Error ? error.message : String(error));
    }
    this.#producers.set(producer.id, producer);
    producer.observer.once('close', () => this.#producers.delete(producer.id));
    this.#room.addProducer(producer);
    return producer;
  }

  closeProducer(producerId: string): void {
    const producer = this.#producers.get(producerId);
    if (!producer) throw new NotFoundError(`no producer ${producerId}`);
    producer.close();
  }

  /**
   * A consumer of another peer's producer, created paused: resume it once the client is ready. For a
   * simulcast producer, `preferredLayers` picks the layer (e.g. spatial 0 for an overview tile).
   */
  async consume(
    transportId: string,
    producerId: string,
    rtpCapabilities: ms.RtpCapabilities,
    preferredLayers?: ms.ConsumerLayers,
  ): Promise<ms.Consumer> {
    const transport = this.#transport(transportId);
    if (transport.appData.direction !== 'recv') throw new MediaError('transport is not for receiving');
    if (!this.#room.getProducer(producerId)) throw new NotFoundError(`no producer ${producerId}`);
    if (!this.#room.router.canConsume({ producerId, rtpCapabilities })) {
      throw new MediaError('the receiver cannot decode this producer');
    }
    const consumer = await transport.consume({
      producerId,
      rtpCapabilities,
      paused: true,
      ...(preferredLayers ? { preferredLayers } : {}),
    });
    this.#consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => this.#consumers.delete(consumer.id));
    const onServerClose = (): void => {
      consumer.close();
      this.emit('consumerclose', consumer.id);
    };
    consumer.once('producerclose', onServerClose);
    consumer.once('transportclose', () => this.#consumers.delete(consumer.id));
    return consumer;
  }

  /** This peer's consumers of one producer. */
  consumersOf(producerId: string): ms.Consumer[] {
    return [...this.#consumers.values()].filter((c) => c.producerId === producerId);
  }

  /** Closes a consumer; `notify` tells the client (the server decided it, not the client). */
  closeConsumer(consumerId: string, notify = false): void {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) throw new NotFoundError(`no consumer ${consumerId}`);
    consumer.close();
    if (notify) this.emit('consumerclose', consumerId);
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) throw new NotFoundError(`no consumer ${consumerId}`);
    await consumer.resume();
  }

  /** Closes every transport (and so every producer and consumer) of this peer. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const transport of this.#transports.values()) transport.close();
    this.#transports.clear();
    this.emit('close');
  }

  #track(transport: Transport): void {
    this.#transports.set(transport.id, transport);
    // Both transport types share the 'close' observer event; the union's overloads hide that from TS.
    const observer: ms.TransportObserver = transport.observer;
    observer.once('close', () => this.#transports.delete(transport.id));
  }

  #transport(transportId: string): Transport {
    this.#assertOpen();
    const transport = this.#transports.get(transportId);
    if (!transport) throw new NotFoundError(`no transport ${transportId}`);
    return transport;
  }

  #assertOpen(): void {
    if (this.#closed) throw new MediaError('media peer closed');
  }
}
