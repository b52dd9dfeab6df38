import type { types as ms } from 'mediasoup';
import { mediaCodecs } from './codecs.ts';
import { InvalidStateError, NotFoundError } from './errors.ts';
import { Lifecycle } from './Lifecycle.ts';
import { MediaPeer } from './MediaPeer.ts';
import type { PeerRoom, Placement } from './MediaPeerTypes.ts';
import type { MediaRoomCloseReason, MediaRoomEvents, MediaRoomObserverEvents } from './MediaRoomTypes.ts';
import { RouterPipes } from './RouterPipes.ts';
import type { PeerKind, SfuOptions } from './SfuTypes.ts';
import type { WorkerPool } from './WorkerPool.ts';
import type { WorkerSlot } from './WorkerPoolTypes.ts';

interface RoomProducer {
  producer: ms.Producer;
  router: ms.Router;
}

/**
 * A group of peers that can exchange media, spread over the node's workers: one mediasoup router per
 * worker it uses. Each peer is placed on the least-loaded worker; a producer is piped (RouterPipes, same
 * id) into another of the room's routers the first time a peer there consumes it, so one worker
 * receives each track once however many of its peers watch it. Whatever the room means (a lesson) is
 * the caller's business.
 */
export class MediaRoom extends Lifecycle<MediaRoomEvents, MediaRoomObserverEvents> implements PeerRoom {
  readonly id: string;
  readonly #pool: WorkerPool;
  readonly #options: SfuOptions;
  /** The room's router on each worker it uses, by worker slot; the first one gives the capabilities. */
  readonly #routers = new Map<WorkerSlot, Promise<ms.Router>>();
  readonly #first: Placement;
  /** The routers made so far, to tell synchronously whether one has gone. */
  readonly #made: ms.Router[] = [];
  readonly #peers = new Map<string, MediaPeer>();
  readonly #producers = new Map<string, RoomProducer>();
  readonly #pipes = new RouterPipes();

  static async create(id: string, pool: WorkerPool, options: SfuOptions): Promise<MediaRoom> {
    // The first router receives the senders and links to other nodes: on the ingest worker if there is one.
    const slot = pool.ingest ?? (await pool.leastLoaded());
    const router = await MediaRoom.#createRouter(id, slot);
    return new MediaRoom(id, pool, options, { slot, router });
  }

  static async #createRouter(id: string, slot: WorkerSlot): Promise<ms.Router> {
    const router = await slot.worker.createRouter({ mediaCodecs, appData: { roomId: id } });
    slot.routers++;
    router.observer.once('close', () => slot.routers--);
    return router;
  }

  private constructor(id: string, pool: WorkerPool, options: SfuOptions, first: Placement) {
    super(options.logger);
    this.id = id;
    this.#pool = pool;
    this.#options = options;
    this.#first = first;
    this.#adopt(first.slot, first.router);
  }

  /**
   * True from the moment one of the room's routers is closed, before the room's own 'close': a dying worker
   * closes its producers first, and their owners must not mistake that for senders leaving.
   */
  get closing(): boolean {
    return this.closed || this.#made.some((r) => r.closed);
  }

  /** Every router of the room offers the same codecs (same list, same order): the first one's answer holds for all. */
  get rtpCapabilities(): ms.RtpCapabilities {
    return this.#first.router.rtpCapabilities;
  }

  /** The worker of the room's first router. */
  get workerPid(): number {
    return this.#first.slot.worker.pid;
  }

  /** The workers the room has a router on. */
  get workerPids(): number[] {
    return [...this.#routers.keys()].map((slot) => slot.worker.pid);
  }

  /** The router that links the room to other nodes (NodePipes): the first one. */
  get linkRouter(): ms.Router {
    return this.#first.router;
  }

  get options(): SfuOptions {
    return this.#options;
  }

  /**
   * The peer with this id, created on first use (`kind` then decides where it goes); it is placed when it
   * creates its first transport.
   */
  peer(peerId: string, kind: PeerKind = 'receiver'): MediaPeer {
    this.#assertOpen();
    let peer = this.#peers.get(peerId);
    if (!peer) {
      const created = MediaPeer.create(peerId, kind, this);
      this.#peers.set(peerId, created);
      created.once('@close', () => {
        if (this.#peers.get(peerId) === created) this.#peers.delete(peerId);
      });
      peer = created;
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

  /** The producer as its sender made it (pausing or closing it acts on every pipe of it too). */
  getProducer(producerId: string): ms.Producer | undefined {
    return this.#producers.get(producerId)?.producer;
  }

  /** Every consumer in the room, for diagnostics (who receives what). */
  consumerCount(kind?: ms.MediaKind): number {
    let n = 0;
    for (const peer of this.#peers.values()) n += peer.consumerCount(kind);
    return n;
  }

  /**
   * Called by MediaPeer on its first transport: a sender goes to the ingest worker (when the node has one);
   * a receiver to the least-loaded forwarding worker (by peers placed on it, all rooms counted), preferring
   * one the room already uses when loads are equal. Answers the room's router there.
   */
  async place(kind: PeerKind): Promise<Placement> {
    const ingest = kind === 'sender' ? this.#pool.ingest : undefined;
    const slot = ingest ?? (await this.#pool.leastLoaded((s) => this.#routers.has(s)));
    this.#assertOpen();
    let router = this.#routers.get(slot);
    if (!router) {
      router = MediaRoom.#createRouter(this.id, slot);
      this.#routers.set(slot, router);
      router.then(
        (created) => this.#adopt(slot, created),
        () => this.#routers.delete(slot),
      );
    }
    const placed = { slot, router: await router };
    // Closed while the router was being made (#adopt has closed it): no transport goes there.
    this.#assertOpen();
    return placed;
  }

  /** Called by MediaPeer: producers are looked up room-wide when consuming. */
  addProducer(producer: ms.Producer, router: ms.Router): void {
    this.#producers.set(producer.id, { producer, router });
    producer.observer.once('close', () => this.#producers.delete(producer.id));
  }

  /** How many of the room's other routers a producer is piped into (one copy each, however many watch). */
  pipedCount(producerId: string): number {
    return this.#pipes.count(producerId);
  }

  /** Per worker the room uses: its peers and their consumers; for operators and tests. */
  workerReport(): { pid: number; peers: number; consumers: number }[] {
    const byPid = new Map<number, { pid: number; peers: number; consumers: number }>();
    for (const pid of this.workerPids) byPid.set(pid, { pid, peers: 0, consumers: 0 });
    for (const peer of this.#peers.values()) {
      const entry = peer.workerPid === undefined ? undefined : byPid.get(peer.workerPid);
      if (!entry) continue;
      entry.peers++;
      entry.consumers += peer.consumerCount();
    }
    return [...byPid.values()];
  }

  /** Makes a producer consumable on `router`: piped there once (same id) if it was produced elsewhere. */
  async bringProducerTo(producerId: string, router: ms.Router): Promise<void> {
    const origin = this.#producers.get(producerId);
    if (!origin) throw new NotFoundError(`no producer ${producerId}`);
    if (origin.router === router) return;
    await this.#pipes.bring(origin.producer, origin.router, router);
  }

  /** A consumer of the producer on `router` is being resumed: the pipe bringing it there sends from now on. */
  async openPipe(producerId: string, router: ms.Router): Promise<void> {
    await this.#pipes.open(producerId, router);
  }

  /** Closes the room: its peers (and so their transports), then its routers. Idempotent. */
  close(): void {
    this.#close('closed');
  }

  #adopt(slot: WorkerSlot, router: ms.Router): void {
    if (!this.#routers.has(slot)) this.#routers.set(slot, Promise.resolve(router));
    this.#made.push(router);
    // mediasoup closes a worker's routers when the worker dies, and when it is closed (the Sfu closing).
    router.on('workerclose', () => this.#close(slot.worker.died ? 'worker-died' : 'closed'));
    if (this.closed) router.close();
  }

  #close(reason: MediaRoomCloseReason): void {
    const closed = this.closeOnce(() => {
      for (const peer of [...this.#peers.values()]) peer.close();
      this.#peers.clear();
      // A dead worker takes one router; the room's others go too, so everyone rebuilds in one place. A router
      // still being made is closed when it comes (#adopt).
      for (const router of this.#made) router.close();
    }, reason);
    if (closed) this.safeEmit('close', reason);
  }

  #assertOpen(): void {
    if (this.closed) throw new InvalidStateError(`room ${this.id} is closed`);
  }
}
