import type { types as ms } from 'mediasoup';
import type { LifecycleEvents } from './LifecycleTypes.ts';
import type { SfuOptions, PeerKind } from './SfuTypes.ts';
import type { WorkerSlot } from './WorkerPoolTypes.ts';

export type MediaPeerEvents = LifecycleEvents & {
  /** A consumer closed on the server side (its producer went away, or the server decided it): tell the client. */
  consumerclose: [consumerId: string];
};

export type MediaPeerObserverEvents = {
  /** The peer closed (by its owner, or with its room), and its transports, producers and consumers with it. */
  close: [];
};

/** Where a peer's transports live: one of the room's routers and its worker's WebRtcServer. */
export interface Placement {
  readonly slot: WorkerSlot;
  readonly router: ms.Router;
}

/**
 * What a peer asks of its room; MediaRoom implements it. The peer knows this contract, never the room, so the
 * two modules do not import each other.
 */
export interface PeerRoom {
  readonly options: Pick<SfuOptions, 'keyFrameRequestDelayMs' | 'logger'>;
  /** The worker and router for a new peer of this kind (see MediaRoom.place). */
  place(kind: PeerKind): Promise<Placement>;
  /** A producer the peer made on `router`: consumable room-wide from now on. */
  addProducer(producer: ms.Producer, router: ms.Router): void;
  /** Makes a producer of the room consumable on `router` (piped there once if it was produced elsewhere). */
  bringProducerTo(producerId: string, router: ms.Router): Promise<void>;
  /** A consumer on `router` is about to be resumed: the pipe that brought its producer there must send. */
  openPipe(producerId: string, router: ms.Router): Promise<void>;
  /** The consumers of a producer, on every peer of the room. */
  consumersOf(producerId: string): readonly { consumer: ms.Consumer }[];
}

export interface WebRtcTransportInfo {
  id: string;
  iceParameters: ms.IceParameters;
  iceCandidates: ms.IceCandidate[];
  dtlsParameters: ms.DtlsParameters;
}

/** SRTP of a load-test plain transport: the AEAD suite Chrome negotiates (cheap in this worker build). */
export interface PlainSrtp {
  cryptoSuite: 'AEAD_AES_256_GCM';
  keyBase64: string;
}

export interface PlainTransportInfo {
  id: string;
  ip: string;
  port: number;
  /** The key the worker encrypts with, for an SRTP transport. */
  srtp?: PlainSrtp;
}
