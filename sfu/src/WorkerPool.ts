import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { EnhancedEventEmitter } from 'mediasoup/extras';
import { InvalidStateError } from './errors.ts';
import { SOCKET_BUFFER_BYTES } from './SfuTypes.ts';
import type { SfuOptions } from './SfuTypes.ts';
import type { WorkerPoolEvents, WorkerSlot } from './WorkerPoolTypes.ts';

const RESPAWN_DELAYS_MS = [0, 250, 1000, 3000, 5000];

/**
 * How long a worker's exit waits before it counts as a death (logged, reported, replaced). A signal meant
 * for the whole node reaches its workers too: Ctrl-C goes to the terminal's process group, systemd's default
 * stop to the whole control group, and mediasoup spawns workers in the node's group. A worker closes itself
 * on SIGINT/SIGTERM and exits with code 0, as it does on any deliberate stop, so its exit cannot tell a
 * node shutting down from anything else; the node closes the pool on that same signal, within moments.
 * An exit the pool's close follows within this time was part of a shutdown: no error, no replacement.
 */
export const DEATH_SETTLE_MS = 250;

/**
 * A fixed number of workers. A worker that dies is replaced in its slot with a
 * new process listening on the same port; routers on the dead one are closed by
 * mediasoup ('workerclose'), which tells their owners. Once the pool closes, a
 * worker that exits is never replaced, nor reported.
 */
export class WorkerPool extends EnhancedEventEmitter<WorkerPoolEvents> {
  readonly #options: SfuOptions;
  readonly #slots: (WorkerSlot | undefined)[];
  readonly #waiters: (() => void)[] = [];
  /** Workers that exited and are not yet counted as dead (DEATH_SETTLE_MS), with their timers. */
  readonly #settling = new Map<WorkerSlot, NodeJS.Timeout>();
  #closed = false;

  static async create(options: SfuOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    const spawned = await Promise.allSettled(pool.#slots.map((_, index) => pool.#spawn(index)));
    const failed = spawned.find((s) => s.status === 'rejected');
    if (failed) {
      // Never half-built: the workers that did start go too.
      pool.close();
      throw failed.reason;
    }
    return pool;
  }

  private constructor(options: SfuOptions) {
    super();
    this.#options = options;
    const count = options.workerCount + (options.ingestWorker ? 1 : 0);
    this.#slots = new Array<WorkerSlot | undefined>(count).fill(undefined);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Live slots, for placement and for tests (pids). */
  get slots(): WorkerSlot[] {
    return this.#slots.filter((s): s is WorkerSlot => s !== undefined);
  }

  /** The live ingest worker, if the pool has one and it is up. */
  get ingest(): WorkerSlot | undefined {
    return this.slots.find((s) => s.ingest);
  }

  /**
   * The live forwarding worker with the fewest peers; among equals, a `preferred` one (e.g. already used
   * by the room), then the one with the fewest routers. Waits while every such worker is being replaced.
   */
  async leastLoaded(preferred: (slot: WorkerSlot) => boolean = () => false): Promise<WorkerSlot> {
    for (;;) {
      if (this.#closed) throw new InvalidStateError('worker pool closed');
      const live = this.slots.filter((s) => !s.ingest);
      if (live.length > 0) {
        const rank = (s: WorkerSlot): [number, number, number] => [s.peers, preferred(s) ? 0 : 1, s.routers];
        return live.reduce((a, b) => (compare(rank(b), rank(a)) < 0 ? b : a));
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /**
   * Closes every worker (their routers close with them) and wakes `leastLoaded` callers, who then fail.
   * Workers that exited just before (the same signal reached them) are neither reported nor replaced. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.slots) slot.worker.close();
    this.#slots.fill(undefined);
    for (const [slot, timer] of this.#settling) {
      clearTimeout(timer);
      this.#options.logger.debug(
        { index: slot.index, pid: slot.worker.pid },
        'mediasoup worker exited as the pool closed',
      );
    }
    this.#settling.clear();
    for (const wake of this.#waiters.splice(0)) wake();
  }

  async #spawn(index: number): Promise<WorkerSlot> {
    const { logLevel, listenIp, announcedAddress, rtcPortBase, iceTcp, plainPortRange } = this.#options;
    const worker = await mediasoup.createWorker({
      logLevel,
      rtcMinPort: plainPortRange.min,
      rtcMaxPort: plainPortRange.max,
      appData: { index },
    });
    const port = rtcPortBase + index;
    let webRtcServer: ms.WebRtcServer;
    try {
      webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          {
            protocol: 'udp',
            ip: listenIp,
            announcedAddress,
            port,
            recvBufferSize: SOCKET_BUFFER_BYTES,
            sendBufferSize: SOCKET_BUFFER_BYTES,
          },
          ...(iceTcp ? [{ protocol: 'tcp' as const, ip: listenIp, announcedAddress, port }] : []),
        ],
      });
    } catch (error) {
      worker.close();
      throw error;
    }
    if (this.#closed) {
      // Closed while this one was starting: it must not outlive the pool.
      worker.close();
      throw new InvalidStateError('worker pool closed');
    }
    const ingest = index >= this.#options.workerCount;
    const slot: WorkerSlot = { index, ingest, worker, webRtcServer, peers: 0, routers: 0 };
    worker.on('died', (error) => this.#onDied(slot, error));
    this.#slots[index] = slot;
    this.#options.logger.info({ index, ingest, pid: worker.pid, port }, 'mediasoup worker ready');
    for (const wake of this.#waiters.splice(0)) wake();
    return slot;
  }

  #onDied(slot: WorkerSlot, error: Error): void {
    if (this.#slots[slot.index] !== slot) return;
    // Placement skips it at once (its routers are already closed); whether it died is known a moment later.
    this.#slots[slot.index] = undefined;
    this.#settling.set(
      slot,
      setTimeout(() => {
        this.#settling.delete(slot);
        this.#died(slot, error);
      }, DEATH_SETTLE_MS),
    );
  }

  #died(slot: WorkerSlot, error: Error): void {
    this.#options.logger.error(
      { index: slot.index, pid: slot.worker.pid, err: error },
      'mediasoup worker died',
    );
    this.safeEmit('workerdied', { index: slot.index, pid: slot.worker.pid, error });
    void this.#respawn(slot.index);
  }

  async #respawn(index: number): Promise<void> {
    let lastError: Error | undefined;
    for (const delay of RESPAWN_DELAYS_MS) {
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      if (this.#closed) return;
      try {
        const slot = await this.#spawn(index);
        this.safeEmit('workerreplaced', { index, pid: slot.worker.pid });
        return;
      } catch (error) {
        if (this.#closed) return;
        lastError = error instanceof Error ? error : new Error(String(error));
        this.#options.logger.warn({ index, err: lastError }, 'respawning mediasoup worker failed');
      }
    }
    this.safeEmit('workerfailed', { index, error: lastError ?? new Error('respawn failed') });
  }
}

/** Lexicographic order of two ranks. */
function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
