import { EventEmitter } from 'node:events';
import { createClient } from 'redis';
import { z } from 'zod';
import type { Logger } from '../logger.ts';

const nodeInfo = z.object({
  id: z.string(),
  /** Where browsers reach this node (its HTTP + Socket.IO origin). */
  url: z.string(),
  /** Where other nodes' pipes reach its media (its announced address). */
  mediaAddress: z.string(),
  /** Pages connected to lessons on this node: the load measure for placing classrooms. */
  peers: z.int(),
  lessons: z.int(),
  startedAt: z.int(),
  at: z.int(),
});
export type NodeInfo = z.infer<typeof nodeInfo>;

export interface NodeRegistryEvents {
  /** A node stopped its heartbeat (stopped or crashed): its pages and tracks are gone. */
  gone: [nodeId: string];
}

export interface RegistryTiming {
  heartbeatMs: number;
  /** A node missing this long is gone: a few missed heartbeats, short enough for pages to move on. */
  ttlMs: number;
}

const DEFAULT_TIMING: RegistryTiming = { heartbeatMs: 3000, ttlMs: 10_000 };

const registryClient = (url: string) => createClient({ url });
type RedisClient = ReturnType<typeof registryClient>;

/**
 * The nodes of a cluster, in Redis: each node refreshes its record (with its load) every few seconds;
 * a record that expires means the node is gone, and every other node hears of it once.
 */
export class NodeRegistry extends EventEmitter<NodeRegistryEvents> {
  readonly #client: RedisClient;
  readonly #self: () => Omit<NodeInfo, 'at' | 'startedAt'>;
  readonly #startedAt = Date.now();
  readonly #prefix: string;
  readonly #log: Logger;
  readonly #timing: RegistryTiming;
  #known = new Set<string>();
  #timer: NodeJS.Timeout | undefined;

  static async start(
    redisUrl: string,
    self: () => Omit<NodeInfo, 'at' | 'startedAt'>,
    log: Logger,
    options: { prefix?: string; timing?: RegistryTiming } = {},
  ): Promise<NodeRegistry> {
    const client = registryClient(redisUrl);
    client.on('error', (err: Error) => log.warn({ err }, 'node registry: redis'));
    await client.connect();
    const timing = options.timing ?? DEFAULT_TIMING;
    const registry = new NodeRegistry(client, self, log, options.prefix ?? 'cs', timing);
    await registry.#beat();
    registry.#timer = setInterval(() => {
      registry.#beat().catch((err: unknown) => log.warn({ err }, 'node heartbeat failed'));
    }, timing.heartbeatMs);
    registry.#timer.unref();
    return registry;
  }

  private constructor(
    client: RedisClient,
    self: () => Omit<NodeInfo, 'at' | 'startedAt'>,
    log: Logger,
    prefix: string,
    timing: RegistryTiming,
  ) {
    super();
    this.#client = client;
    this.#self = self;
    this.#log = log;
    this.#prefix = prefix;
    this.#timing = timing;
  }

  /** The live nodes, this one included. */
  async nodes(): Promise<NodeInfo[]> {
    const ids = await this.#client.sMembers(this.#setKey());
    if (ids.length === 0) return [];
    const records = await this.#client.mGet(ids.map((id) => this.#key(id)));
    const live: NodeInfo[] = [];
    const dead: string[] = [];
    records.forEach((raw, i) => {
      const parsed = raw === null ? undefined : nodeInfo.safeParse(JSON.parse(raw));
      if (parsed?.success) live.push(parsed.data);
      else dead.push(ids[i]!);
    });
    if (dead.length > 0) await this.#client.sRem(this.#setKey(), dead);
    return live.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The live node with the fewest pages: where a new classroom is best sent. */
  async leastLoaded(): Promise<NodeInfo | undefined> {
    return (await this.nodes()).reduce<NodeInfo | undefined>(
      (best, n) => (best === undefined || n.peers < best.peers ? n : best),
      undefined,
    );
  }

  /** Stops the heartbeat without leaving the registry: what a crash looks like to the other nodes (tests). */
  stopHeartbeat(): void {
    clearInterval(this.#timer);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    const { id } = this.#self();
    await this.#client.del(this.#key(id)).catch(() => undefined);
    await this.#client.sRem(this.#setKey(), id).catch(() => undefined);
    this.#client.destroy();
  }

  async #beat(): Promise<void> {
    const self: NodeInfo = { ...this.#self(), startedAt: this.#startedAt, at: Date.now() };
    await this.#client
      .multi()
      .set(this.#key(self.id), JSON.stringify(self), {
        expiration: { type: 'PX', value: this.#timing.ttlMs },
      })
      .sAdd(this.#setKey(), self.id)
      .exec();
    const live = new Set((await this.nodes()).map((n) => n.id));
    for (const id of this.#known) {
      if (!live.has(id)) {
        this.#log.warn({ node: id }, 'node gone');
        this.emit('gone', id);
      }
    }
    this.#known = live;
  }

  #key(id: string): string {
    return `${this.#prefix}:cluster:node:${id}`;
  }

  #setKey(): string {
    return `${this.#prefix}:cluster:nodes`;
  }
}
