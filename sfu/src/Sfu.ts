import type { types as ms } from 'mediasoup';
import { InvalidStateError } from './errors.ts';
import { Lifecycle } from './Lifecycle.ts';
import { MediaRoom } from './MediaRoom.ts';
import type { SfuEvents, SfuObserverEvents, SfuOptions } from './SfuTypes.ts';
import { WorkerPool } from './WorkerPool.ts';

/**
 * The media plane of one node: a worker pool and the rooms placed on it.
 * Rooms are created on first use, once per id even under concurrent calls.
 */
export class Sfu extends Lifecycle<SfuEvents, SfuObserverEvents> {
  readonly #options: SfuOptions;
  readonly #pool: WorkerPool;
  /** Rooms made or being made, by id: a second caller gets the first one's promise. */
  readonly #rooms = new Map<string, Promise<MediaRoom>>();
  /** The rooms made: closed, synchronously, before the workers when the Sfu closes. */
  readonly #made = new Set<MediaRoom>();

  static async create(options: SfuOptions): Promise<Sfu> {
    return new Sfu(options, await WorkerPool.create(options));
  }

  private constructor(options: SfuOptions, pool: WorkerPool) {
    super(options.logger);
    this.#options = options;
    this.#pool = pool;
    pool.on('workerdied', (info) => this.safeEmit('workerdied', info));
    pool.on('workerreplaced', (info) => this.safeEmit('workerreplaced', info));
    pool.on('workerfailed', (info) => this.safeEmit('workerfailed', info));
  }

  get workerPids(): number[] {
    return this.workers.map((w) => w.pid);
  }

  /** The live workers, one per slot (a dead one's slot is empty until it is replaced); for operators and tests. */
  get workers(): ms.Worker[] {
    return this.#pool.slots.map((s) => s.worker);
  }

  /** The room with this id, placed on the least-loaded worker when first asked for. */
  room(roomId: string): Promise<MediaRoom> {
    if (this.closed) return Promise.reject(new InvalidStateError('sfu closed'));
    let pending = this.#rooms.get(roomId);
    if (!pending) {
      const created = this.#createRoom(roomId);
      this.#rooms.set(roomId, created);
      const forget = (): void => {
        if (this.#rooms.get(roomId) === created) this.#rooms.delete(roomId);
      };
      created.then((room) => (room.closed ? forget() : room.once('@close', forget)), forget);
      pending = created;
    }
    return pending;
  }

  /** Closes every room (each with its peers, transports and routers), then the workers. Idempotent. */
  close(): void {
    this.closeOnce(() => {
      for (const room of [...this.#made]) room.close();
      // Rooms still being made close as they come (#createRoom).
      this.#rooms.clear();
      this.#pool.close();
    });
  }

  async #createRoom(roomId: string): Promise<MediaRoom> {
    const room = await MediaRoom.create(roomId, this.#pool, this.#options);
    if (this.closed) {
      room.close();
      throw new InvalidStateError('sfu closed');
    }
    this.#made.add(room);
    room.once('@close', () => this.#made.delete(room));
    return room;
  }
}
