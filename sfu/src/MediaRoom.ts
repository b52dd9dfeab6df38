import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import { mediaCodecs } from './codecs.ts';
import { MediaPeer } from './MediaPeer.ts';
import type { SfuOptions } from './SfuTypes.ts';
import type { WorkerSlot } from './WorkerPool.ts';

export interface MediaRoomEvents {
  /** The room is gone: closed by its owner or because its worker died. */
  close: [reason: 'closed' | 'worker-died'];
}

/**
 * A group of peers that can exchange media: one mediasoup router on one
 * worker. Whatever the room means (a lesson) is the caller's business.
 */
export class MediaRoom extends EventEmitter<MediaRoomEvents> {
  readonly id: string;
  readonly #slot: WorkerSlot;
  readonly #router: ms.Router;
  readonly #options: SfuOptions;
  readonly #peers = new Map<string, MediaPeer>();
  readonly #producers = new Map<string, ms.Producer>();
  #closed = false;

  static async create(id: string, slot: WorkerSlot, options: SfuOptions): Promise<MediaRoom> {
    const router = await slot.worker.createRouter({ mediaCodecs, appData: { roomId: id } });
    return new MediaRoom(id, slot, router, options);
  }

  private constructor(id: string, slot: WorkerSlot, router: ms.Router, options: SfuOptions) {
    super();
    this.id = id;
    this.#slot = slot;
    this.#router = router;
    this.#options = options;
    slot.routers++;
    router.on('workerclose', () => this.#close('worker-died'));
  }

  get closed(): boolean {
    return this.#closed;
  }

  get rtpCapabilities(): ms.RtpCapabilities {
    return this.#router.rtpCapabilities;
  }

  get workerPid(): number {
    return this.#slot.worker.pid;
  }

  /** The router, for tests and for the fan-out layer; callers must not close it. */
  get router(): ms.Router {
    return this.#router;
  }

  get webRtcServer(): ms.WebRtcServer {
    return this.#slot.webRtcServer;
  }

  get options(): SfuOptions {
    return this.#options;
  }

  /** The peer with this id, created on first use. */
  peer(peerId: string): MediaPeer {
    if (this.#closed) throw new Error(`room ${this.id} is closed`);
    let peer = this.#peers.get(peerId);
    if (!peer) {
      peer = new MediaPeer(peerId, this);
      this.#peers.set(peerId, peer);
      peer.once('close', () => this.#peers.delete(peerId));
    }
    return peer;
  }

  /** The peer with this id if it has used media; never creates one. */
  existingPeer(peerId: string): MediaPeer | undefined {
    return this.#peers.get(peerId);
  }

  /** Every peer's consumers of one producer. */
  consumersOf(producerId: string): { peer: MediaPeer; consumer: ms.Consumer }[] {
    const found: { peer: MediaPeer; consumer: ms.Consumer }[] = [];
    for (const peer of this.#peers.values()) {
      for (const consumer of peer.consumersOf(producerId)) found.push({ peer, consumer });
    }
    return found;
  }

  getProducer(producerId: string): ms.Producer | undefined {
    return this.#producers.get(producerId);
  }

  /** Every consumer in the room, for diagnostics (who receives what). */
  consumerCount(kind?: ms.MediaKind): number {
    let n = 0;
    for (const peer of this.#peers.values()) n += peer.consumerCount(kind);
    return n;
  }

  /** Called by MediaPeer: producers are looked up room-wide when consuming. */
  addProducer(producer: ms.Producer): void {
    this.#producers.set(producer.id, producer);
    producer.observer.once('close', () => this.#producers.delete(producer.id));
  }

  close(): void {
    this.#close('closed');
  }

  #close(reason: 'closed' | 'worker-died'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#slot.routers--;
    for (const peer of [...this.#peers.values()]) peer.close();
    if (reason === 'closed') this.#router.close();
    this.emit('close', reason);
  }
}
