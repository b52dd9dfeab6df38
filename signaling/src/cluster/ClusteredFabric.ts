import express from 'express';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import { NodePipes } from '@cloudschool/sfu';
import type { LinkReport, MediaRoom, PipeEnd, PipedTrack, Sfu } from '@cloudschool/sfu';
import type { WallLesson, WallPatch } from '@cloudschool/protocol';
import type {
  Fabric,
  LessonChange,
  LessonLink,
  LessonListener,
  PageInfo,
  TrackInfo,
  WallListener,
} from '../fabric/Fabric.ts';
import { requireRole } from '../http/middleware.ts';
import type { Logger } from '../logger.ts';
import type { IoServer } from '../socket/types.ts';
import { ClusterBus } from './ClusterBus.ts';
import { Seal } from './Seal.ts';
import type { ClusterEvent } from './messages.ts';
import { pipeEnd, pipedTrack } from './messages.ts';
import { NodeRegistry } from './NodeRegistry.ts';
import type { RegistryTiming } from './NodeRegistry.ts';

/** How long a node starting a lesson waits for the others' snapshots before it answers its first page. */
const SNAPSHOT_WAIT_MS = 1500;

/** What one node has of a lesson: its pages and the tracks it receives. */
interface Share {
  pages: Map<string, PageInfo>;
  tracks: Map<string, TrackInfo>;
}

const emptyShare = (): Share => ({ pages: new Map(), tracks: new Map() });

/** A lesson running on this node, linked to its copies on the other nodes. */
interface Linked {
  hear: LessonListener;
  /** This node's share, for the snapshot a node starting the lesson asks for. */
  mine: Share;
  /** The other nodes' shares, by node. */
  theirs: Map<string, Share>;
  /** Nodes whose snapshot arrived, and who waits for more. */
  heard: Set<string>;
  onHeard: (() => void) | undefined;
}

export interface ClusterOptions {
  io: IoServer;
  redisUrl: string;
  nodeId: string;
  /** Where browsers reach this node (the registry lists it). */
  url: string;
  /** Where other nodes send this node's pipes: its announced media address. */
  mediaAddress: string;
  /** What every node of the cluster knows and Redis does not: messages between nodes are sealed with it. */
  secret: string;
  sfu: Sfu;
  log: Logger;
  timing?: RegistryTiming;
}

/**
 * Several nodes sharing one Redis: Socket.IO rooms and serverSideEmit span the nodes (Redis streams
 * adapter), each node registers itself with a heartbeat (`NodeRegistry`), every node running a lesson
 * tells the others what changes on it and hears theirs (`ClusterBus`), and tracks received by another
 * node are pulled here once per room (`NodePipes`). A node that stops beating is forgotten: its pages and
 * tracks leave every lesson, its pipes close.
 */
export class ClusteredFabric implements Fabric {
  readonly nodeId: string;
  readonly #bus: ClusterBus;
  readonly #registry: NodeRegistry;
  readonly #pipes: NodePipes;
  readonly #adapterClient: { destroy(): void };
  readonly #log: Logger;
  readonly #lessons = new Map<string, Linked>();
  #load = (): { pages: number; lessons: number } => ({ pages: 0, lessons: 0 });
  #wall: WallListener | undefined;

  static async join(options: ClusterOptions): Promise<ClusteredFabric> {
    const { io, redisUrl, nodeId } = options;
    const log = options.log.child({ component: 'cluster' });
    const client = createClient({ url: redisUrl });
    client.on('error', (err: Error) => log.warn({ err }, 'cluster adapter: redis'));
    await client.connect();
    io.adapter(createAdapter(client, { streamName: 'cs:socket.io' }));
    let load = (): { pages: number; lessons: number } => ({ pages: 0, lessons: 0 });
    const registry = await NodeRegistry.start(
      redisUrl,
      () => {
        const { pages, lessons } = load();
        return { id: nodeId, url: options.url, mediaAddress: options.mediaAddress, peers: pages, lessons };
      },
      log,
      options.timing ? { timing: options.timing } : {},
    );
    const bus = new ClusterBus(io, nodeId, new Seal(options.secret), log);
    const fabric = new ClusteredFabric(options, bus, registry, client, log);
    load = () => fabric.#load();
    return fabric;
  }

  private constructor(
    options: ClusterOptions,
    bus: ClusterBus,
    registry: NodeRegistry,
    adapterClient: { destroy(): void },
    log: Logger,
  ) {
    this.nodeId = options.nodeId;
    this.#bus = bus;
    this.#registry = registry;
    this.#adapterClient = adapterClient;
    this.#log = log;
    // What another node answers is checked like everything else that arrives (mediasoup checks the RTP
    // parameters once more when it produces the copy).
    this.#pipes = new NodePipes(options.sfu, {
      request: async (to, request) =>
        request.type === 'link'
          ? (pipeEnd.parse(await bus.request(to, request)) satisfies PipeEnd)
          : (pipedTrack.parse(await bus.request(to, request)) as PipedTrack),
      notify: (to, notice) => bus.publish({ type: 'pipe', to, notice }),
    });
    bus.serve(async (from, request) => {
      // A node links a pipe only back to where that node registered its media: never to an address a
      // message names.
      if (request.type === 'link') {
        const node = (await registry.nodes()).find((n) => n.id === from);
        if (node?.mediaAddress !== request.ip) {
          throw new Error(`node ${from} asked for a pipe to ${request.ip}, not its registered address`);
        }
      }
      return this.#pipes.serve(from, request);
    });
    bus.on('event', (from, event) => this.#receive(from, event));
    registry.on('gone', (node) => this.#forget(node));
  }

  async link(lessonId: string, hear: LessonListener): Promise<LessonLink> {
    const linked: Linked = {
      hear,
      mine: emptyShare(),
      theirs: new Map(),
      heard: new Set(),
      onHeard: undefined,
    };
    this.#lessons.set(lessonId, linked);
    const others = (await this.#registry.nodes()).map((n) => n.id).filter((id) => id !== this.nodeId);
    this.#bus.publish({ type: 'hello', lessonId });
    const deadline = Date.now() + SNAPSHOT_WAIT_MS;
    while (!others.every((n) => linked.heard.has(n)) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        linked.onHeard = () => (clearTimeout(timer), resolve());
      });
    }
    linked.onHeard = undefined;
    return {
      tell: (change) => {
        apply(linked.mine, change);
        this.#bus.publish({ type: 'change', lessonId, change });
      },
      close: () => {
        if (this.#lessons.get(lessonId) === linked) this.#lessons.delete(lessonId);
      },
    };
  }

  recordChanged(lessonId: string): void {
    this.#bus.publish({ type: 'record', lessonId });
  }

  bring(room: MediaRoom, producerId: string, from: string): Promise<void> {
    return from === this.nodeId ? Promise.resolve() : this.#pipes.pull(room, producerId, from);
  }

  links(roomId: string): Promise<LinkReport[]> {
    return this.#pipes.report(roomId);
  }

  shareWall(lessonId: string, change: WallLesson | WallPatch | null): void {
    this.#bus.publish({ type: 'wall', lessonId, change });
  }

  onWall(listener: WallListener): void {
    this.#wall = listener;
  }

  /** GET /api/cluster/nodes (coordinators): the nodes and their load. */
  routes(): express.Router {
    const router = express.Router();
    router.get('/api/cluster/nodes', requireRole('coordinator'), async (_req, res) => {
      res.json({ nodes: await this.#registry.nodes(), self: this.nodeId });
    });
    return router;
  }

  setLoad(load: () => { pages: number; lessons: number }): void {
    this.#load = load;
  }

  async close(): Promise<void> {
    this.#bus.close();
    this.#pipes.close();
    await this.#registry.close();
    this.#adapterClient.destroy();
  }

  #receive(from: string, event: ClusterEvent): void {
    switch (event.type) {
      case 'hello': {
        // Every node answers, running the lesson or not, so the asking node knows when it has heard all.
        const mine = this.#lessons.get(event.lessonId)?.mine ?? emptyShare();
        this.#bus.publish({
          type: 'snapshot',
          lessonId: event.lessonId,
          pages: [...mine.pages.values()],
          tracks: [...mine.tracks.values()],
        });
        return;
      }
      case 'snapshot': {
        const linked = this.#lessons.get(event.lessonId);
        if (!linked) return;
        const before = linked.theirs.get(from) ?? emptyShare();
        const after: Share = {
          pages: new Map(event.pages.map((p) => [p.peerId, p])),
          tracks: new Map(event.tracks.map((t) => [t.id, t])),
        };
        linked.theirs.set(from, after);
        for (const [id, page] of before.pages) if (!after.pages.has(id)) linked.hear(from, gone(page));
        for (const [id, track] of before.tracks)
          if (!after.tracks.has(id)) linked.hear(from, goneTrack(track));
        for (const page of after.pages.values()) linked.hear(from, { type: 'page', page, present: true });
        for (const track of after.tracks.values()) linked.hear(from, { type: 'track', track, present: true });
        linked.heard.add(from);
        linked.onHeard?.();
        return;
      }
      case 'change': {
        const linked = this.#lessons.get(event.lessonId);
        if (!linked) return;
        let theirs = linked.theirs.get(from);
        if (!theirs) linked.theirs.set(from, (theirs = emptyShare()));
        apply(theirs, event.change);
        linked.hear(from, event.change);
        return;
      }
      case 'record':
        this.#lessons.get(event.lessonId)?.hear(from, { type: 'info' });
        return;
      case 'pipe':
        if (event.to === this.nodeId) this.#pipes.notice(event.notice);
        return;
      case 'wall':
        this.#wall?.(from, event.lessonId, event.change);
        return;
    }
  }

  /** A node stopped beating: its pages and tracks leave every lesson, its pipes close. */
  #forget(node: string): void {
    this.#log.warn({ node }, 'node gone: forgetting its pages and tracks');
    this.#pipes.dropNode(node);
    for (const linked of this.#lessons.values()) {
      const theirs = linked.theirs.get(node);
      if (!theirs) continue;
      linked.theirs.delete(node);
      for (const page of theirs.pages.values()) linked.hear(node, gone(page));
      for (const track of theirs.tracks.values()) linked.hear(node, goneTrack(track));
    }
  }
}

/** Keeps a node's share of a lesson up to date with one of its changes. */
function apply(share: Share, change: LessonChange): void {
  if (change.type === 'page') {
    if (change.present) share.pages.set(change.page.peerId, change.page);
    else share.pages.delete(change.page.peerId);
  } else if (change.type === 'track') {
    if (change.present) share.tracks.set(change.track.id, change.track);
    else share.tracks.delete(change.track.id);
  }
}

const gone = (page: PageInfo): LessonChange => ({ type: 'page', page, present: false });
const goneTrack = (track: TrackInfo): LessonChange => ({ type: 'track', track, present: false });
