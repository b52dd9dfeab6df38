/**
 * Where the simulated classrooms' plain transports send their SRTP: a pool of sink threads
 * (srtpSinkThread.ts), each with a few UDP sockets, so receiving ~100 000 packets/s neither starves the
 * main thread's Socket.IO clients nor overflows one socket's buffer. Classrooms are spread round-robin.
 */
import { Worker } from 'node:worker_threads';

export interface SinkThreadOptions {
  sockets: number;
  recvBufferBytes: number;
  /** Decrypt one packet in this many per stream (and the first). */
  decryptEvery: number;
}

/** What one SSRC of one classroom's transport delivered so far. */
export interface StreamCounts {
  ssrc: number;
  /** Wall-clock ms (performance.timeOrigin + now) of the first packet. */
  firstAt: number;
  /** Distinct packets (by sequence number); a packet that arrives again counts in `duplicates`. */
  packets: number;
  duplicates: number;
  bytes: number;
  firstSeq: number;
  /** Highest sequence number, extended past wraps: highest − first + 1 − packets = lost so far. */
  highestSeq: number;
  decrypted: number;
  decryptFailed: number;
}

export interface ClassroomCounts {
  classroom: number;
  streams: StreamCounts[];
}

export type SinkCommand =
  | { type: 'add'; classroom: number; sourcePort: number; keyBase64: string }
  | { type: 'snapshot'; requestId: number }
  | { type: 'close' };

export type SinkReply =
  | { type: 'ready'; ports: number[] }
  | { type: 'snapshot'; requestId: number; at: number; cpuMicros: number; classrooms: ClassroomCounts[] };

export interface SinkSnapshot {
  /** Wall-clock ms when the last thread answered. */
  at: number;
  /** CPU the sink threads used so far (µs), all threads together. */
  cpuMicros: number;
  byClassroom: Map<number, StreamCounts[]>;
}

interface SinkThread {
  worker: Worker;
  ports: number[];
}

export class SrtpSinkPool {
  readonly #threads: SinkThread[];
  #next = 0;
  #requestId = 0;

  static async start(threads: number, options: SinkThreadOptions): Promise<SrtpSinkPool> {
    const started = await Promise.all(
      Array.from({ length: threads }, async () => {
        const worker = new Worker(new URL('./srtpSinkThread.ts', import.meta.url), { workerData: options });
        const ready = await new Promise<SinkReply>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        });
        if (ready.type !== 'ready') throw new Error('sink thread did not start');
        return { worker, ports: ready.ports };
      }),
    );
    return new SrtpSinkPool(started);
  }

  private constructor(threads: SinkThread[]) {
    this.#threads = threads;
  }

  /** Every local UDP port the sinks listen on (for the kernel's drop counters). */
  get ports(): number[] {
    return this.#threads.flatMap((t) => t.ports);
  }

  /**
   * Registers a classroom's transport (its source port and the key the worker encrypts with) and
   * answers the sink port to connect the transport to.
   */
  add(classroom: number, sourcePort: number, keyBase64: string): number {
    const slot = this.#next++;
    const thread = this.#threads[slot % this.#threads.length]!;
    thread.worker.postMessage({ type: 'add', classroom, sourcePort, keyBase64 } satisfies SinkCommand);
    return thread.ports[Math.floor(slot / this.#threads.length) % thread.ports.length]!;
  }

  async snapshot(): Promise<SinkSnapshot> {
    const requestId = ++this.#requestId;
    const replies = await Promise.all(
      this.#threads.map(
        (t) =>
          new Promise<Extract<SinkReply, { type: 'snapshot' }>>((resolve) => {
            const onMessage = (m: SinkReply): void => {
              if (m.type !== 'snapshot' || m.requestId !== requestId) return;
              t.worker.off('message', onMessage);
              resolve(m);
            };
            t.worker.on('message', onMessage);
            t.worker.postMessage({ type: 'snapshot', requestId } satisfies SinkCommand);
          }),
      ),
    );
    const byClassroom = new Map<number, StreamCounts[]>();
    for (const r of replies) for (const c of r.classrooms) byClassroom.set(c.classroom, c.streams);
    return {
      at: Math.max(...replies.map((r) => r.at)),
      cpuMicros: replies.reduce((sum, r) => sum + r.cpuMicros, 0),
      byClassroom,
    };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.#threads.map(async (t) => {
        const exited = new Promise((resolve) => t.worker.once('exit', resolve));
        t.worker.postMessage({ type: 'close' } satisfies SinkCommand);
        await exited;
      }),
    );
  }
}
