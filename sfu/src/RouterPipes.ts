import type { types as ms } from 'mediasoup';
import { InvalidStateError } from './errors.ts';
import { SOCKET_BUFFER_BYTES } from './SfuTypes.ts';

/** The two ends of the link from one router to another; `from`'s end sends once opened. */
interface Link {
  from: ms.PipeTransport;
  to: ms.PipeTransport;
  opened: Promise<void> | null;
}

/** A producer's copy in another router: what consumes it on its own router, and the link that carries it. */
interface Copy {
  link: Link;
  pipeConsumer: ms.Consumer;
}

/**
 * A room's producers copied into its other routers (same id), as mediasoup's `pipeToRouter` does, but a link
 * between two routers starts sending only when a consumer behind it is first resumed (`open`). mediasoup's
 * pipe asks the producer for a key frame the moment it is linked — before any consumer there can use it
 * (consumers start paused until their page is ready) — and the producer's keyFrameRequestDelay then held that
 * consumer's own request for up to a second: the first classroom on a worker the lesson had not used waited
 * ≈ 1.4 s for the teacher's picture, the others ≈ 0.45 s (bench:networks, its joins). Opened when needed, the
 * link's request is the one that consumer waits for.
 */
export class RouterPipes {
  /** By `${from.id} ${to.id}`. */
  readonly #links = new Map<string, Promise<Link>>();
  /** By `${producerId} ${to.id}`. */
  readonly #copies = new Map<string, Promise<Copy>>();

  /** Makes `producer` (on `from`) consumable on `to`: copied there once, with the same id. */
  async bring(producer: ms.Producer, from: ms.Router, to: ms.Router): Promise<void> {
    const key = `${producer.id} ${to.id}`;
    let copy = this.#copies.get(key);
    if (!copy) {
      copy = this.#copy(producer, from, to, key);
      this.#copies.set(key, copy);
      copy.catch(() => this.#copies.delete(key));
    }
    await copy;
  }

  /** The copy of `producerId` on `to`, if there is one, starts flowing (its link opened). */
  async open(producerId: string, to: ms.Router): Promise<void> {
    const copy = this.#copies.get(`${producerId} ${to.id}`);
    if (!copy) return;
    const { link } = await copy;
    link.opened ??= link.from.connect({ ip: link.to.tuple.localAddress, port: link.to.tuple.localPort });
    await link.opened;
  }

  /** How many routers a producer is copied into (one copy each, however many watch it there). */
  count(producerId: string): number {
    let n = 0;
    for (const key of this.#copies.keys()) if (key.startsWith(`${producerId} `)) n++;
    return n;
  }

  async #copy(producer: ms.Producer, from: ms.Router, to: ms.Router, key: string): Promise<Copy> {
    const link = await this.#link(from, to);
    const pipeConsumer = await link.from.consume({ producerId: producer.id });
    let copy: ms.Producer | undefined;
    try {
      copy = await link.to.produce({
        id: producer.id,
        kind: pipeConsumer.kind,
        rtpParameters: pipeConsumer.rtpParameters,
        paused: pipeConsumer.producerPaused,
        appData: producer.appData,
      });
      if (producer.closed) throw new InvalidStateError(`producer ${producer.id} closed`);
      // Paused or resumed while the copy was made.
      if (copy.paused !== producer.paused) await (producer.paused ? copy.pause() : copy.resume());
    } catch (error) {
      pipeConsumer.close();
      copy?.close();
      throw error;
    }
    const made = copy;
    // The pipe consumer follows its producer (pause, resume, close); the copy follows the pipe consumer.
    pipeConsumer.observer.on('pause', () => void made.pause().catch(() => undefined));
    pipeConsumer.observer.on('resume', () => void made.resume().catch(() => undefined));
    pipeConsumer.observer.once('close', () => made.close());
    made.observer.once('close', () => {
      pipeConsumer.close();
      this.#copies.delete(key);
    });
    return { link, pipeConsumer };
  }

  #link(from: ms.Router, to: ms.Router): Promise<Link> {
    const key = `${from.id} ${to.id}`;
    let link = this.#links.get(key);
    if (!link) {
      link = RouterPipes.#connect(from, to);
      this.#links.set(key, link);
      link.then(
        ({ from: a, to: b }) => {
          const gone = (): void => {
            a.close();
            b.close();
            if (this.#links.get(key) === link) this.#links.delete(key);
          };
          a.observer.once('close', gone);
          b.observer.once('close', gone);
        },
        () => this.#links.delete(key),
      );
    }
    return link;
  }

  /** A pair of pipe transports; `to`'s end is connected now (it only sends RTCP back), `from`'s by `open`. */
  static async #connect(from: ms.Router, to: ms.Router): Promise<Link> {
    const listenInfo: ms.TransportListenInfo = {
      protocol: 'udp',
      ip: '127.0.0.1',
      recvBufferSize: SOCKET_BUFFER_BYTES,
      sendBufferSize: SOCKET_BUFFER_BYTES,
    };
    // A packet lost between workers would be lost for every receiver behind the pipe: retransmit it.
    const made = await Promise.allSettled([
      from.createPipeTransport({ listenInfo, enableRtx: true }),
      to.createPipeTransport({ listenInfo, enableRtx: true }),
    ]);
    const [a, b] = made.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    try {
      if (!a || !b) throw made.find((r) => r.status === 'rejected')!.reason;
      await b.connect({ ip: a.tuple.localAddress, port: a.tuple.localPort });
      return { from: a, to: b, opened: null };
    } catch (error) {
      a?.close();
      b?.close();
      throw error;
    }
  }
}
