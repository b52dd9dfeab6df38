import { EventEmitter } from 'node:events';
import { MediaRoom } from './MediaRoom.ts';
import type { SfuOptions } from './SfuTypes.ts';
import { WorkerPool } from './WorkerPool.ts';
import type { WorkerPoolEvents } from './WorkerPool.ts';

export type SfuEvents = WorkerPoolEvents;

/**
 * The media plane of one node: a worker pool and the rooms placed on it.
 * Rooms are created on first use, once per id even under concurrent calls.
 */
export class Sfu extends EventEmitter<SfuEvents> {
  readonly #options: SfuOptions;
  readonly #pool: WorkerPool;
  readonly #rooms = new Map<string, Promise<MediaRoom>>();
  #closed = false;

  static async create(options: SfuOptions): Promise<Sfu> {
    return new Sfu(options, await WorkerPool.create(options));
  }

  private constructor(options: SfuOptions, pool: WorkerPool) {
    super();
    this.#options = options;
    this.#pool = pool;
    pool.on('workerdied', (info) => this.emit('workerdied', info));
    pool.on('workerreplaced', (info) => this.emit('workerreplaced', info));
    pool.on('workerfailed', (info) => this.emit('workerfailed', info));
  }

  get workerPids(): number[] {
    return this.#pool.slots.map((s) => s.worker.pid);
  }

  /** The room with this id, placed on the least-loaded worker when first asked for. */
  room(roomId: string): Promise<MediaRoom> {
    if (this.#closed) return Promise.reject(new Error('sfu closed'));
    let pending = this.#rooms.get(roomId);
    if (!pending) {
      const created = this.#createRoom(roomId);
      this.#rooms.set(roomId, created);
      const forget = (): void => {
        if (this.#rooms.get(roomId) === created) this.#rooms.delete(roomId);
      };
      created.then((room) => room.once('close', forget), forget);
      pending = created;
    }
    return pending;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#rooms.clear();
    this.#pool.close();
  }

  async #createRoom(roomId: string): Promise<MediaRoom> {
    return MediaRoom.create(roomId, this.#pool, this.#options);
  }
}
