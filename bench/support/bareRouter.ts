/**
 * The bare router: what the fan-out costs mediasoup itself, with none of our code on the path. The same
 * mediasoup package and worker binary as the server, in the server's worker layout (forwarding workers, and an
 * ingest worker that receives the host and pipes each track once to every forwarding worker, with RTX as the
 * server's pipes), driven from this process: no signaling, no lesson, no placement service. It gets the host's
 * stream relayed as is by the server (a plain RTP consumer there, see `relayHost`), and serves simulated
 * classrooms as the server does: a plain transport each with SRTP (AEAD_AES_256_GCM) into the same sinks,
 * consumers made paused with Chromium's rtpCapabilities and then resumed.
 */
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import type { MediaKind } from '@cloudschool/protocol';
import { mediaCodecs } from '@cloudschool/sfu';
import { srtpKey } from '@cloudschool/testkit';
import { newClassroom } from './classroomClient.ts';
import type { LessonClassroom, SimulatedClassroom } from './classroomClient.ts';
import type { MediaReport } from './lessonServer.ts';
import type { SrtpSinkPool } from './srtpSink.ts';

export interface BareRouterOptions {
  forwardingWorkers: number;
  /** An ingest worker for the host, as the server runs by default; without, the host is on the first forwarding worker. */
  ingestWorker: boolean;
  /** The workers' ports for plain and pipe transports. */
  plainPorts: { min: number; max: number };
  /** As the server's MEDIA_KEYFRAME_DELAY_MS: the host is asked for a key frame at most once per this. */
  keyFrameRequestDelayMs: number;
}

/** Kernel socket buffers of the pipes between workers, as the server sets them (sfu SOCKET_BUFFER_BYTES). */
const PIPE_BUFFER_BYTES = 4 * 1024 * 1024;
/** Sink ids of bare classrooms start here, apart from the server's classrooms in the same sinks. */
export const BARE_SINK_OFFSET = 1_000_000;

interface Slot {
  worker: ms.Worker;
  router: ms.Router;
  ingest: boolean;
  peers: number;
  consumers: number;
}

export class BareRouter {
  readonly #slots: Slot[];
  readonly #senderSlot: Slot;
  readonly #ingest: ms.PlainTransport;
  readonly #keyFrameRequestDelayMs: number;
  readonly #producers = new Map<MediaKind, ms.Producer>();
  readonly #placed = new Map<string, Slot>();
  #closed = false;

  static async create(o: BareRouterOptions): Promise<BareRouter> {
    const count = o.forwardingWorkers + (o.ingestWorker ? 1 : 0);
    const slots: Slot[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const worker = await mediasoup.createWorker({
          logLevel: 'warn',
          rtcMinPort: o.plainPorts.min,
          rtcMaxPort: o.plainPorts.max,
        });
        const slot = { worker, ingest: i >= o.forwardingWorkers, peers: 0, consumers: 0 };
        slots.push({ ...slot, router: await worker.createRouter({ mediaCodecs }) });
      }
      const sender = slots.find((s) => s.ingest) ?? slots[0]!;
      // comedia: the transport learns the relay's address from its first packet and sends RTCP back there.
      const ingest = await sender.router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        rtcpMux: true,
        comedia: true,
      });
      return new BareRouter(slots, sender, ingest, o.keyFrameRequestDelayMs);
    } catch (error) {
      for (const s of slots) s.worker.close();
      throw error;
    }
  }

  private constructor(
    slots: Slot[],
    sender: Slot,
    ingest: ms.PlainTransport,
    keyFrameRequestDelayMs: number,
  ) {
    this.#slots = slots;
    this.#senderSlot = sender;
    this.#ingest = ingest;
    this.#keyFrameRequestDelayMs = keyFrameRequestDelayMs;
  }

  /** Forwarding workers first, then the ingest worker: the same order as the server's. */
  get workerPids(): number[] {
    return this.#slots.map((s) => s.worker.pid);
  }

  /** Where the relay sends the host's RTP. */
  get ingestPort(): number {
    return this.#ingest.tuple.localPort;
  }

  /**
   * Declares one of the host's tracks as the relay sends it (its consumer's RTP parameters on the server) and
   * pipes it to every forwarding router now, as the server does on the first classroom there.
   */
  async produce(kind: MediaKind, rtpParameters: ms.RtpParameters): Promise<void> {
    // The relay's MID belongs to its transport on the server; here the SSRC routes the stream.
    const { mid: _mid, ...parameters } = rtpParameters;
    // The relay receives one layer of a simulcast host (its consumer says `L3T3`): declared as what arrives,
    // one spatial layer with its temporal ones, or the bare router's consumers would expect three streams.
    const encodings = parameters.encodings?.map((e) => ({
      ...e,
      ...(e.scalabilityMode ? { scalabilityMode: `L1T${/T(\d)/.exec(e.scalabilityMode)?.[1] ?? '1'}` } : {}),
    }));
    const producer = await this.#ingest.produce({
      kind,
      rtpParameters: { ...parameters, ...(encodings ? { encodings } : {}) },
      keyFrameRequestDelay: this.#keyFrameRequestDelayMs,
    });
    this.#producers.set(kind, producer);
    for (const slot of this.#slots) {
      if (slot === this.#senderSlot || slot.ingest) continue;
      await this.#senderSlot.router.pipeToRouter({
        producerId: producer.id,
        router: slot.router,
        keepId: true,
        enableRtx: true,
        listenInfo: {
          protocol: 'udp',
          ip: '127.0.0.1',
          recvBufferSize: PIPE_BUFFER_BYTES,
          sendBufferSize: PIPE_BUFFER_BYTES,
        },
      });
    }
  }

  /** A classroom on the forwarding worker with the fewest, receiving the host's video and audio into `sinks`. */
  async join(
    index: number,
    rtpCapabilities: ms.RtpCapabilities,
    sinks: SrtpSinkPool,
  ): Promise<SimulatedClassroom> {
    if (this.#closed) throw new Error('bare router closed');
    const start = Date.now();
    const slot = this.#slots.filter((s) => !s.ingest).reduce((a, b) => (b.peers < a.peers ? b : a));
    slot.peers++;
    const peerId = `bare-${index}`;
    this.#placed.set(peerId, slot);
    const sinkIndex = BARE_SINK_OFFSET + index;
    const transport = await slot.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: false,
      enableSrtp: true,
      srtpCryptoSuite: 'AEAD_AES_256_GCM',
    });
    let consumers = 0;
    const classroom = newClassroom(
      sinkIndex,
      () => {
        if (transport.closed) return;
        transport.close();
        slot.peers--;
        slot.consumers -= consumers;
      },
      start,
    );
    classroom.peerId = peerId;
    // No signaling: joined as soon as it started.
    classroom.times.joined = start;
    try {
      const port = sinks.add(sinkIndex, transport.tuple.localPort, transport.srtpParameters!.keyBase64);
      await transport.connect({ ip: '127.0.0.1', port, srtpParameters: srtpKey() });
      const made: ms.Consumer[] = [];
      for (const kind of ['video', 'audio'] as const) {
        const producer = this.#producers.get(kind);
        if (!producer) throw new Error(`the bare router has no ${kind} from the host`);
        if (!slot.router.canConsume({ producerId: producer.id, rtpCapabilities })) {
          throw new Error(`Chromium cannot consume the host's ${kind}`);
        }
        const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities, paused: true });
        consumers++;
        slot.consumers++;
        const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc ?? 0;
        if (kind === 'video') classroom.videoSsrc = ssrc;
        else classroom.audioSsrc = ssrc;
        made.push(consumer);
      }
      for (const consumer of made) await consumer.resume();
      classroom.times.resumed = Date.now();
      return classroom;
    } catch (error) {
      classroom.close();
      throw new Error(`bare classroom ${index}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }

  /** Packets of the host's tracks received from the relay so far, per kind (RTX included). */
  async ingestPackets(): Promise<Record<MediaKind, number>> {
    const count = async (kind: MediaKind): Promise<number> =>
      (await this.#producers.get(kind)?.getStats())?.reduce((sum, s) => sum + s.packetCount, 0) ?? 0;
    return { video: await count('video'), audio: await count('audio') };
  }

  /** The server's media report, as far as the bare router has its parts: placement and consumers per worker. */
  mediaReport(): MediaReport {
    return {
      participants: [
        { peerId: 'host', role: 'host', audio: 0, video: 0, workerPid: this.#senderSlot.worker.pid },
        ...[...this.#placed].map(([peerId, slot]) => ({
          peerId,
          role: 'classroom',
          audio: 1,
          video: 1,
          workerPid: slot.worker.pid,
        })),
      ],
      workers: this.#slots.map((s) => ({
        pid: s.worker.pid,
        peers: s.peers + (s === this.#senderSlot ? 1 : 0),
        consumers: s.consumers,
      })),
      producers: [...this.#producers].map(([kind, producer]) => ({
        id: producer.id,
        source: kind === 'video' ? 'camera' : 'mic',
        classroomId: null,
        pipedTo: this.#slots.filter((s) => s !== this.#senderSlot && !s.ingest).length,
      })),
    };
  }

  /** Closes every worker and waits for their processes to end. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(
      this.#slots.map(async ({ worker }) => {
        const exited = workerExit(worker.pid);
        worker.close();
        await exited;
      }),
    );
  }
}

/** Resolves once the process is gone (mediasoup's close() signals the worker and returns at once). */
async function workerExit(pid: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The host's stream for the bare router, as is: a classroom of the server that receives the host's video and
 * audio over plain RTP (no SRTP) and sends them to the bare router's ingest transport; the bare router then
 * declares them with that classroom's consumer parameters. The server's own work for it (one more consumer)
 * falls on the server's workers, which are not the ones measured.
 */
export async function relayHost(
  bare: BareRouter,
  join: (receiveAt: { port: number }) => Promise<LessonClassroom>,
): Promise<LessonClassroom> {
  const relay = await join({ port: bare.ingestPort });
  try {
    for (const kind of ['video', 'audio'] as const) {
      const consumer = relay.consumers.get(kind);
      if (!consumer) throw new Error(`the relay receives no ${kind}: is the host live?`);
      // The server's own consumer parameters (trusted): the protocol types them loosely.
      await bare.produce(kind, consumer.rtpParameters as ms.RtpParameters);
    }
    return relay;
  } catch (error) {
    relay.close();
    throw error;
  }
}
