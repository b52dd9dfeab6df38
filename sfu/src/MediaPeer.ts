import type { types as ms } from 'mediasoup';
import { InvalidStateError, MediaError, NotFoundError } from './errors.ts';
import { Lifecycle } from './Lifecycle.ts';
import { LinkEstimate } from './LinkEstimate.ts';
import type {
  MediaPeerEvents,
  MediaPeerObserverEvents,
  PeerRoom,
  Placement,
  PlainSrtp,
  PlainTransportInfo,
  WebRtcTransportInfo,
} from './MediaPeerTypes.ts';
import type { PeerKind, TransportDirection } from './SfuTypes.ts';

type Transport = ms.WebRtcTransport | ms.PlainTransport;

/** Bandwidth caps: a host sends camera + voice; a classroom only receives. */
const MAX_INCOMING_BITRATE = 3_000_000;
/**
 * What a new transport's bandwidth estimate starts from: what a village line carries (the lowest layer and
 * voice), so a page starts on a picture it can receive and climbs as the estimate grows (its first probes go
 * to 3 and 6 times this within a second or two), instead of starting on one that overflows its line.
 */
const INITIAL_OUTGOING_BITRATE = 300_000;

/**
 * One participant's transports, producers and consumers in a room. Made by `MediaRoom.peer()`; placed on a
 * worker when it creates its first transport. Closing it closes its transports, and so their producers and
 * consumers.
 */
export class MediaPeer extends Lifecycle<MediaPeerEvents, MediaPeerObserverEvents> {
  readonly id: string;
  readonly #room: PeerRoom;
  readonly #kind: PeerKind;
  readonly #transports = new Map<string, Transport>();
  readonly #producers = new Map<string, ms.Producer>();
  readonly #consumers = new Map<string, ms.Consumer>();
  /** The transport each of its producers and consumers is on. */
  readonly #transportOf = new Map<string, string>();
  /** Each receiving WebRTC transport's estimate of what the page's link carries. */
  readonly #links = new Map<string, LinkEstimate>();
  #placement: Promise<Placement> | undefined;
  /** Set as soon as the placement is known: a peer with a transport always has it. */
  #placed: Placement | undefined;

  /** For MediaRoom (through its `peer()`): a peer of `room`, not yet placed. */
  static create(id: string, kind: PeerKind, room: PeerRoom): MediaPeer {
    return new MediaPeer(id, kind, room);
  }

  private constructor(id: string, kind: PeerKind, room: PeerRoom) {
    super(room.options.logger);
    this.id = id;
    this.#kind = kind;
    this.#room = room;
  }

  get kind(): PeerKind {
    return this.#kind;
  }

  /** The worker this peer's transports are on, once placed. */
  get workerPid(): number | undefined {
    return this.#placed?.slot.worker.pid;
  }

  get transportCount(): number {
    return this.#transports.size;
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

  /** The worker and router this peer's transports live on, chosen when it creates its first transport. */
  placement(): Promise<Placement> {
    if (this.closed) return Promise.reject(this.#closedError());
    if (!this.#placement) {
      const placing = this.#room.place(this.#kind);
      this.#placement = placing;
      placing.then(
        (placed) => {
          // Closed while being placed: it never counted on that worker.
          if (this.closed) return;
          this.#placed = placed;
          placed.slot.peers++;
        },
        () => {
          if (this.#placement === placing) this.#placement = undefined;
        },
      );
    }
    return this.#placement;
  }

  async createWebRtcTransport(direction: TransportDirection): Promise<WebRtcTransportInfo> {
    const { slot, router } = await this.placement();
    this.#assertOpen();
    const transport = await router.createWebRtcTransport({
      webRtcServer: slot.webRtcServer,
      enableUdp: true,
      // TCP candidates only where the worker's server listens on TCP (SfuOptions.iceTcp).
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: INITIAL_OUTGOING_BITRATE,
      appData: { peerId: this.id, direction },
    });
    this.#track(transport);
    if (direction === 'send') await transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE);
    else {
      const link = LinkEstimate.attach(transport);
      this.#links.set(transport.id, link);
      transport.observer.once('close', () => {
        link.close();
        this.#links.delete(transport.id);
      });
    }
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  /**
   * A plain RTP transport on loopback, for load and integration tests that speak raw RTP. With `srtp`
   * the worker encrypts and decrypts as it does for a browser, so a load test costs what browsers would.
   */
  async createPlainTransport(direction: TransportDirection, srtp = false): Promise<PlainTransportInfo> {
    const { router } = await this.placement();
    this.#assertOpen();
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: direction === 'send',
      enableSrtp: srtp,
      srtpCryptoSuite: 'AEAD_AES_256_GCM',
      appData: { peerId: this.id, direction },
    });
    this.#track(transport);
    const info: PlainTransportInfo = {
      id: transport.id,
      ip: transport.tuple.localAddress,
      port: transport.tuple.localPort,
    };
    if (transport.srtpParameters) {
      info.srtp = { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: transport.srtpParameters.keyBase64 };
    }
    return info;
  }

  async connectWebRtcTransport(transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
    const transport = this.#transport(transportId);
    if (transport.type !== 'webrtc') throw new MediaError('not a WebRTC transport');
    await refusedAsMediaError(transport.connect({ dtlsParameters }));
  }

  /** New ICE credentials for a WebRTC transport whose browser lost its path (network back after a cut). */
  async restartIce(transportId: string): Promise<ms.IceParameters> {
    const transport = this.#transport(transportId);
    if (transport.type !== 'webrtc') throw new MediaError('not a WebRTC transport');
    return transport.restartIce();
  }

  async connectPlainTransport(
    transportId: string,
    ip: string,
    port: number,
    srtp?: PlainSrtp,
  ): Promise<void> {
    const transport = this.#transport(transportId);
    if (transport.type !== 'plain') throw new MediaError('not a plain transport');
    if (Boolean(transport.srtpParameters) !== Boolean(srtp)) {
      throw new MediaError(srtp ? 'this transport has no SRTP' : 'this transport needs the SRTP key');
    }
    await refusedAsMediaError(transport.connect({ ip, port, ...(srtp ? { srtpParameters: srtp } : {}) }));
  }

  async produce(
    transportId: string,
    kind: ms.MediaKind,
    rtpParameters: ms.RtpParameters,
    appData: ms.AppData,
  ): Promise<ms.Producer> {
    const transport = this.#transport(transportId);
    if (transport.appData.direction !== 'send') throw new MediaError('transport is not for sending');
    const router = this.#placed?.router;
    if (!router) throw new MediaError('media peer not placed');
    let producer: ms.Producer;
    try {
      producer = await transport.produce({
        kind,
        rtpParameters,
        // 800 classrooms joining ask for 800 key frames: the sender makes at most one per delay.
        keyFrameRequestDelay: this.#room.options.keyFrameRequestDelayMs,
        appData: { ...appData, peerId: this.id },
      });
    } catch (error) {
      throw new MediaError(error instanceof Error ? error.message : String(error));
    }
    this.#producers.set(producer.id, producer);
    this.#transportOf.set(producer.id, transportId);
    producer.observer.once('close', () => {
      this.#producers.delete(producer.id);
      this.#transportOf.delete(producer.id);
    });
    this.#room.addProducer(producer, router);
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
    const { router } = await this.placement();
    await this.#room.bringProducerTo(producerId, router);
    if (!router.canConsume({ producerId, rtpCapabilities })) {
      throw new MediaError('the receiver cannot decode this producer');
    }
    const consumer = await transport.consume({
      producerId,
      rtpCapabilities,
      paused: true,
      ...(preferredLayers ? { preferredLayers } : {}),
    });
    this.#consumers.set(consumer.id, consumer);
    this.#transportOf.set(consumer.id, transportId);
    consumer.observer.once('close', () => {
      this.#consumers.delete(consumer.id);
      this.#transportOf.delete(consumer.id);
    });
    const onServerClose = (): void => {
      consumer.close();
      this.safeEmit('consumerclose', consumer.id);
    };
    consumer.once('producerclose', onServerClose);
    return consumer;
  }

  /** What the link of the transport a consumer is on carried lately (WebRTC receiving transports only). */
  linkOf(consumerId: string): LinkEstimate | undefined {
    const transportId = this.#transportOf.get(consumerId);
    return transportId === undefined ? undefined : this.#links.get(transportId);
  }

  get consumerIds(): string[] {
    return [...this.#consumers.keys()];
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
    if (notify) this.safeEmit('consumerclose', consumerId);
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) throw new NotFoundError(`no consumer ${consumerId}`);
    const router = this.#placed?.router;
    if (router) await this.#room.openPipe(consumer.producerId, router);
    await consumer.resume();
  }

  /**
   * Fresh key frames for the video a transport carries, once its path broke and came back: the pictures
   * on both ends of it are stale. A recv transport's consumers each ask their producer; a send
   * transport's producers are asked through one of their consumers in the room (a producer has no such
   * request of its own). Paused ones are left out: resuming asks anyway.
   */
  async requestKeyFrames(transportId: string): Promise<void> {
    const transport = this.#transport(transportId);
    const on = (id: string): boolean => this.#transportOf.get(id) === transportId;
    const consumers: ms.Consumer[] = [];
    if (transport.appData.direction === 'recv') {
      for (const c of this.#consumers.values()) {
        if (on(c.id) && c.kind === 'video' && !c.paused) consumers.push(c);
      }
    } else {
      for (const p of this.#producers.values()) {
        if (!on(p.id) || p.kind !== 'video' || p.paused) continue;
        const viewer = this.#room.consumersOf(p.id).find(({ consumer }) => !consumer.paused);
        if (viewer) consumers.push(viewer.consumer);
      }
    }
    await Promise.all(consumers.map((c) => c.requestKeyFrame()));
  }

  /** Closes every transport (and so every producer and consumer) of this peer. Idempotent. */
  close(): void {
    this.closeOnce(() => {
      for (const transport of [...this.#transports.values()]) transport.close();
      this.#transports.clear();
      if (this.#placed) this.#placed.slot.peers--;
    });
  }

  #track(transport: Transport): void {
    if (this.closed) {
      // Made while the peer was closing: it goes too, and the caller hears why.
      transport.close();
      this.#assertOpen();
    }
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
    if (this.closed) throw this.#closedError();
  }

  #closedError(): InvalidStateError {
    return new InvalidStateError(`media peer ${this.id} closed`);
  }
}

/**
 * A transport's connect() fails in the worker only for what the page sent (a second connect, parameters it
 * cannot use) or because the transport closed meanwhile: either way the page's request is refused.
 */
async function refusedAsMediaError(connecting: Promise<void>): Promise<void> {
  try {
    await connecting;
  } catch (error) {
    if (error instanceof MediaError) throw error;
    throw new MediaError(`the media server refused to connect this transport: ${(error as Error).message}`);
  }
}
