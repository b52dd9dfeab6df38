import type { types as ms } from 'mediasoup';
import { InvalidStateError, MediaError } from './errors.ts';
import { Lifecycle } from './Lifecycle.ts';
import type { MediaRoom } from './MediaRoom.ts';
import type {
  LinkReport,
  NodePipesEvents,
  NodePipesObserverEvents,
  PipeCarrier,
  PipeEnd,
  PipedTrack,
  PipeNotice,
  PipeRequest,
} from './NodePipesTypes.ts';
import type { Sfu } from './Sfu.ts';
import { SOCKET_BUFFER_BYTES } from './SfuTypes.ts';

/** A pipe between this node and another for one room; `id` is the pulling side's transport id. */
interface Link {
  id: string;
  roomId: string;
  node: string;
  /** 'in': this node pulls tracks over it; 'out': the other node pulls from here. */
  direction: LinkReport['direction'];
  transport: ms.PipeTransport;
  router: ms.Router;
}

interface Pulled {
  link: Link;
  copy: ms.Producer;
}

/**
 * Tracks across nodes: a node serving some peers of a room pulls each track it needs from the node that
 * receives it, once, over one mediasoup PipeTransport pair per (room, direction, other node), then fans it
 * out locally (the copy has the producer's id, so consumers and in-node pipes treat it like any producer).
 * SRTP and RTX are on: the link may cross a real network.
 */
export class NodePipes extends Lifecycle<NodePipesEvents, NodePipesObserverEvents> {
  readonly #sfu: Sfu;
  readonly #carrier: PipeCarrier;
  /** Links this node made to pull, by `${roomId} ${nodeId}`. */
  readonly #pulling = new Map<string, Promise<Link>>();
  /** Links other nodes made to pull from here, by their link id. */
  readonly #serving = new Map<string, Link>();
  /** Tracks pulled here, by `${roomId} ${producerId}`. */
  readonly #pulled = new Map<string, Promise<Pulled>>();
  /** Copies sent from here, by `${linkId} ${producerId}`: one per track per link. */
  readonly #sent = new Map<string, ms.Consumer>();
  /** Every link made and not closed, both directions: what close() closes. */
  readonly #links = new Set<Link>();
  readonly #closeWithSfu = (): void => this.close();

  /** The node's pipes to others; they close with `sfu`. */
  constructor(sfu: Sfu, carrier: PipeCarrier) {
    super(sfu.logger);
    this.#sfu = sfu;
    this.#carrier = carrier;
    if (sfu.closed) this.close();
    else sfu.observer.once('close', this.#closeWithSfu);
  }

  /** Makes `producerId`, received by node `from`, consumable in `room` on this node (once per room and track). */
  pull(room: MediaRoom, producerId: string, from: string): Promise<void> {
    if (this.closed) return Promise.reject(this.#closedError());
    if (room.getProducer(producerId)) return Promise.resolve();
    const key = `${room.id} ${producerId}`;
    let pulling = this.#pulled.get(key);
    if (!pulling) {
      const started = this.#pull(room, producerId, from);
      this.#pulled.set(key, started);
      started.then(
        ({ copy }) => copy.observer.once('close', () => this.#forget(this.#pulled, key, started)),
        () => this.#forget(this.#pulled, key, started),
      );
      pulling = started;
    }
    return pulling.then(() => undefined);
  }

  /** Answers another node's request. */
  async serve(from: string, request: PipeRequest): Promise<PipeEnd | PipedTrack> {
    this.#assertOpen();
    if (request.type === 'link') {
      const room = await this.#sfu.room(request.roomId);
      const link = await this.#createLink(room, from, 'out', request.linkId);
      this.#serving.set(link.id, link);
      link.transport.observer.once('close', () => {
        if (this.#serving.get(link.id) === link) this.#serving.delete(link.id);
      });
      await link.transport.connect({ ip: request.ip, port: request.port, srtpParameters: request.srtp });
      return this.#end(link.transport);
    }
    const link = this.#serving.get(request.linkId);
    if (!link || link.node !== from || link.roomId !== request.roomId) {
      throw new MediaError(`no link ${request.linkId} from ${from}`);
    }
    const { producerId } = request;
    const room = await this.#sfu.room(link.roomId);
    await room.bringProducerTo(producerId, link.router);
    // The other node's copy receives from now on: no consumer here will resume the pipe that brought it.
    await room.openPipe(producerId, link.router);
    const sentKey = `${link.id} ${producerId}`;
    this.#sent.get(sentKey)?.close();
    const consumer = await link.transport.consume({ producerId });
    this.#sent.set(sentKey, consumer);
    this.#closeIfClosed(consumer);
    const tell = (event: PipeNotice['event']): void =>
      this.#carrier.notify(from, { linkId: link.id, producerId, event });
    consumer.on('producerpause', () => tell('pause'));
    consumer.on('producerresume', () => tell('resume'));
    consumer.observer.once('close', () => {
      if (this.#sent.get(sentKey) === consumer) this.#sent.delete(sentKey);
      tell('close');
    });
    return { kind: consumer.kind, rtpParameters: consumer.rtpParameters, paused: consumer.producerPaused };
  }

  /** A track this node pulled changed at its source. */
  notice(notice: PipeNotice): void {
    if (this.closed) return;
    for (const pending of this.#pulled.values()) {
      void pending
        .then(({ link, copy }) => {
          if (link.id !== notice.linkId || copy.id !== notice.producerId) return;
          if (notice.event === 'close') copy.close();
          else if (notice.event === 'pause') return copy.pause();
          else return copy.resume();
        })
        .catch(() => undefined);
    }
  }

  /** Closes every link with a node that is gone: the copies of its tracks close, and their consumers with them. */
  dropNode(nodeId: string): void {
    for (const pending of this.#pulling.values()) {
      void pending.then((l) => l.node === nodeId && l.transport.close()).catch(() => undefined);
    }
    for (const link of this.#serving.values()) if (link.node === nodeId) link.transport.close();
  }

  /** Per link of a room: the other node, the tracks crossing it and the bytes it carried (transport stats). */
  async report(roomId: string): Promise<LinkReport[]> {
    const rows: LinkReport[] = [];
    if (this.closed) return rows;
    const links = [
      ...(await Promise.all([...this.#pulling.values()].map((p) => p.catch(() => undefined)))),
      ...this.#serving.values(),
    ];
    const pulled = await Promise.all([...this.#pulled.values()].map((p) => p.catch(() => undefined)));
    for (const link of links) {
      if (!link || link.roomId !== roomId || link.transport.closed) continue;
      const [stats] = await link.transport.getStats();
      rows.push({
        node: link.node,
        direction: link.direction,
        tracks:
          link.direction === 'in'
            ? pulled.filter((p) => p?.link === link && !p.copy.closed).length
            : [...this.#sent.keys()].filter((k) => k.startsWith(`${link.id} `)).length,
        bytesReceived: stats?.bytesReceived ?? 0,
        bytesSent: stats?.bytesSent ?? 0,
      });
    }
    return rows;
  }

  async #pull(room: MediaRoom, producerId: string, from: string): Promise<Pulled> {
    const link = await this.#linkTo(room, from);
    const track = (await this.#carrier.request(from, {
      type: 'consume',
      roomId: room.id,
      linkId: link.id,
      producerId,
    })) as PipedTrack;
    this.#assertOpen();
    const copy = await link.transport.produce({
      id: producerId,
      kind: track.kind,
      rtpParameters: track.rtpParameters,
      paused: track.paused,
      appData: { pipedFrom: from },
    });
    this.#closeIfClosed(copy);
    room.addProducer(copy, link.router);
    return { link, copy };
  }

  /** This node's link to `nodeId` for the room, made on first use by asking the other node to link back. */
  #linkTo(room: MediaRoom, nodeId: string): Promise<Link> {
    const key = `${room.id} ${nodeId}`;
    const existing = this.#pulling.get(key);
    if (existing) return existing;
    const linking = this.#createLink(room, nodeId, 'in').then(async (link) => {
      link.transport.observer.once('close', () => this.#forget(this.#pulling, key, linking));
      try {
        const end = (await this.#carrier.request(nodeId, {
          type: 'link',
          roomId: room.id,
          linkId: link.id,
          ...this.#end(link.transport),
        })) as PipeEnd;
        await link.transport.connect({ ip: end.ip, port: end.port, srtpParameters: end.srtp });
        this.#closeIfClosed(link.transport);
        return link;
      } catch (error) {
        link.transport.close();
        throw error;
      }
    });
    this.#pulling.set(key, linking);
    linking.catch(() => this.#forget(this.#pulling, key, linking));
    return linking;
  }

  async #createLink(room: MediaRoom, node: string, direction: Link['direction'], id?: string): Promise<Link> {
    const { listenIp, announcedAddress } = room.options;
    const router = room.linkRouter;
    const transport = await router.createPipeTransport({
      listenInfo: {
        protocol: 'udp',
        ip: listenIp,
        ...(announcedAddress ? { announcedAddress } : {}),
        recvBufferSize: SOCKET_BUFFER_BYTES,
        sendBufferSize: SOCKET_BUFFER_BYTES,
      },
      enableRtx: true,
      enableSrtp: true,
    });
    this.#closeIfClosed(transport);
    const link: Link = { id: id ?? transport.id, roomId: room.id, node, direction, transport, router };
    this.#links.add(link);
    transport.observer.once('close', () => this.#links.delete(link));
    return link;
  }

  /**
   * Closes every link (their copies and the tracks sent over them close with them); pulls and requests under
   * way fail with InvalidStateError. Idempotent; also when the Sfu closes.
   */
  close(): void {
    this.closeOnce(() => {
      this.#sfu.observer.off('close', this.#closeWithSfu);
      // Links still being made close as they come (#closeIfClosed).
      for (const link of [...this.#links]) link.transport.close();
      this.#pulling.clear();
      this.#serving.clear();
      this.#pulled.clear();
      this.#sent.clear();
    });
  }

  /** Something made while NodePipes was closing: it goes too, and the caller hears why. */
  #closeIfClosed(made: { close(): void }): void {
    if (!this.closed) return;
    made.close();
    throw this.#closedError();
  }

  #assertOpen(): void {
    if (this.closed) throw this.#closedError();
  }

  #closedError(): InvalidStateError {
    return new InvalidStateError('node pipes closed');
  }

  #end(transport: ms.PipeTransport): PipeEnd {
    const srtp = transport.srtpParameters;
    if (!srtp) throw new MediaError('pipe transport without SRTP');
    return { ip: transport.tuple.localAddress, port: transport.tuple.localPort, srtp };
  }

  #forget<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.get(key) === value) map.delete(key);
  }
}
