import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { types as ms } from 'mediasoup';
import { qualityLevels, role } from '@cloudschool/protocol';
import type { ErrorCode, QualityLevel, Role } from '@cloudschool/protocol';
import type { Sfu } from '@cloudschool/sfu';
import type { LiveLessons } from '../lesson/LiveLessons.ts';
import { exposition } from './exposition.ts';
import type { Family } from './exposition.ts';

export interface NodeMetricsDeps {
  sfu: Sfu;
  lessons: LiveLessons;
  /** Socket.IO connections open on this node now. */
  connections: () => number;
  /** Promise rejections nobody handled since the process started (logger.ts). */
  unhandledRejections: () => number;
}

/** What one mediasoup worker carries, counted from its observer events (pipes between workers included). */
interface WorkerCounts {
  routers: number;
  transports: number;
  producers: number;
  consumers: number;
}

const LEVELS: readonly QualityLevel[] = [...qualityLevels, 'unknown', 'reconnecting'];

/** The event loop's delay is sampled every this many ms. */
const LOOP_RESOLUTION_MS = 10;

/**
 * The figures a district's operator watches this node by, as Prometheus metrics (GET /metrics): lessons,
 * pages by role, connected classrooms by quality level, Socket.IO connections, mediasoup workers and what
 * each carries, the event loop's lag, memory, refused joins by error code, unhandled rejections. Everything
 * is read when scraped, except what only events can tell (refusals; producers and consumers per worker,
 * counted as mediasoup's observers announce and close them). Each node exposes its own figures: a cluster
 * is scraped node by node and summed by Prometheus.
 */
export class NodeMetrics {
  readonly #deps: NodeMetricsDeps;
  readonly #loop: ReturnType<typeof monitorEventLoopDelay>;
  readonly #workers = new WeakMap<ms.Worker, WorkerCounts>();
  readonly #refusals = new Map<string, number>();
  readonly #replaced: (info: { pid: number }) => void;
  #closed = false;

  constructor(deps: NodeMetricsDeps) {
    this.#deps = deps;
    this.#loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.#loop.enable();
    for (const worker of deps.sfu.workers) this.#watch(worker);
    // A replacement worker is watched before a room can be placed on it.
    this.#replaced = ({ pid }) => {
      const worker = deps.sfu.workers.find((w) => w.pid === pid);
      if (worker) this.#watch(worker);
    };
    deps.sfu.on('workerreplaced', this.#replaced);
  }

  /** A join (or resume) refused with this code. */
  refused(event: 'lesson:join' | 'lesson:resume', code: ErrorCode): void {
    const key = `${event}\u0000${code}`;
    this.#refusals.set(key, (this.#refusals.get(key) ?? 0) + 1);
  }

  /** The exposition text of this node's figures now. The event loop's lag is since the last scrape. */
  async collect(): Promise<string> {
    const { sfu, lessons } = this.#deps;
    const pages = new Map<Role, number>(role.options.map((r) => [r, 0]));
    const quality = new Map<QualityLevel, number>(LEVELS.map((l) => [l, 0]));
    let classrooms = 0;
    for (const lesson of lessons.all()) {
      const here = new Set<string>();
      for (const page of lesson.localPages()) {
        pages.set(page.role, (pages.get(page.role) ?? 0) + 1);
        if (page.role === 'classroom' && page.classroomId) here.add(page.classroomId);
      }
      classrooms += here.size;
      for (const id of here) {
        const level = lesson.quality.levelOf(id);
        quality.set(level, (quality.get(level) ?? 0) + 1);
      }
    }

    const workers = sfu.workers.filter((w) => !w.closed && !w.died);
    const usage = await Promise.all(
      workers.map((w) => w.getResourceUsage().catch((): ms.WorkerResourceUsage | null => null)),
    );
    const perWorker = (pick: (c: WorkerCounts) => number) =>
      workers.map((w) => ({ labels: { pid: String(w.pid) }, value: pick(this.#watch(w)) }));
    const cpu = workers.flatMap((w, i) => {
      const u = usage[i];
      if (!u) return [];
      return [
        { labels: { pid: String(w.pid), mode: 'user' }, value: u.ru_utime / 1000 },
        { labels: { pid: String(w.pid), mode: 'system' }, value: u.ru_stime / 1000 },
      ];
    });

    const lag = this.#loop;
    const seconds = (ns: number): number => (Number.isFinite(ns) ? ns / 1e9 : 0);
    const lagFamilies: Family[] = [
      {
        name: 'cloudschool_event_loop_lag_p99_seconds',
        help: "99th percentile of the event loop's delay since the previous scrape (beyond its 10 ms sampling)",
        type: 'gauge',
        samples: [{ value: lag.count > 0 ? seconds(lag.percentile(99)) : 0 }],
      },
      {
        name: 'cloudschool_event_loop_lag_max_seconds',
        help: 'Longest delay of the event loop since the previous scrape (beyond its 10 ms sampling)',
        type: 'gauge',
        samples: [{ value: lag.count > 0 ? seconds(lag.max) : 0 }],
      },
    ];
    lag.reset();

    const memory = process.memoryUsage();
    return exposition([
      {
        name: 'cloudschool_lessons_live',
        help: 'Lessons running on this node (at least one page of theirs is served here)',
        type: 'gauge',
        samples: [{ value: lessons.size }],
      },
      {
        name: 'cloudschool_pages',
        help: 'Pages in live lessons served by this node, by role (host console, classroom projector, patrol)',
        type: 'gauge',
        samples: [...pages].map(([r, value]) => ({ labels: { role: r }, value })),
      },
      {
        name: 'cloudschool_classrooms_connected',
        help: 'Distinct classrooms with a page in a live lesson on this node',
        type: 'gauge',
        samples: [{ value: classrooms }],
      },
      {
        name: 'cloudschool_classrooms_quality',
        help: 'Connected classrooms on this node by the quality level of their media (unknown before a first report)',
        type: 'gauge',
        samples: [...quality].map(([level, value]) => ({ labels: { level }, value })),
      },
      {
        name: 'cloudschool_socketio_connections',
        help: 'Socket.IO connections open on this node (joined or not)',
        type: 'gauge',
        samples: [{ value: this.#deps.connections() }],
      },
      {
        name: 'cloudschool_join_refusals_total',
        help: 'Joins and resumes a handler refused since the process started, by event and error code',
        type: 'counter',
        samples: [...this.#refusals].map(([key, value]) => {
          const [event = '', code = ''] = key.split('\u0000');
          return { labels: { event, code }, value };
        }),
      },
      {
        name: 'cloudschool_media_workers_alive',
        help: 'mediasoup worker processes alive on this node (forwarding and ingest)',
        type: 'gauge',
        samples: [{ value: workers.length }],
      },
      {
        name: 'cloudschool_media_worker_routers',
        help: 'Routers on each mediasoup worker',
        type: 'gauge',
        samples: perWorker((c) => c.routers),
      },
      {
        name: 'cloudschool_media_worker_transports',
        help: 'Transports on each mediasoup worker (pages and pipes)',
        type: 'gauge',
        samples: perWorker((c) => c.transports),
      },
      {
        name: 'cloudschool_media_worker_producers',
        help: 'Producers on each mediasoup worker (pipe producers between workers and nodes included)',
        type: 'gauge',
        samples: perWorker((c) => c.producers),
      },
      {
        name: 'cloudschool_media_worker_consumers',
        help: 'Consumers on each mediasoup worker (pipe consumers between workers and nodes included)',
        type: 'gauge',
        samples: perWorker((c) => c.consumers),
      },
      {
        name: 'cloudschool_media_worker_cpu_seconds_total',
        help: 'CPU time used by each mediasoup worker process, by mode',
        type: 'counter',
        samples: cpu,
      },
      ...lagFamilies,
      {
        name: 'process_resident_memory_bytes',
        help: 'Resident memory of the signaling process (its mediasoup workers not included)',
        type: 'gauge',
        samples: [{ value: memory.rss }],
      },
      {
        name: 'nodejs_heap_used_bytes',
        help: 'V8 heap in use by the signaling process',
        type: 'gauge',
        samples: [{ value: memory.heapUsed }],
      },
      {
        name: 'cloudschool_unhandled_rejections_total',
        help: 'Promise rejections nobody handled since the process started (each is logged)',
        type: 'counter',
        samples: [{ value: this.#deps.unhandledRejections() }],
      },
    ]);
  }

  /** Stops sampling the event loop and watching workers. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#loop.disable();
    this.#deps.sfu.off('workerreplaced', this.#replaced);
  }

  /** Counts what a worker carries from now on (once per worker); answers its counts. */
  #watch(worker: ms.Worker): WorkerCounts {
    let counts = this.#workers.get(worker);
    if (counts) return counts;
    const c: WorkerCounts = { routers: 0, transports: 0, producers: 0, consumers: 0 };
    counts = c;
    this.#workers.set(worker, c);
    worker.observer.on('newrouter', (router) => {
      c.routers++;
      router.observer.once('close', () => c.routers--);
      router.observer.on('newtransport', (transport) => {
        c.transports++;
        transport.observer.once('close', () => c.transports--);
        transport.observer.on('newproducer', (producer) => {
          c.producers++;
          producer.observer.once('close', () => c.producers--);
        });
        transport.observer.on('newconsumer', (consumer) => {
          c.consumers++;
          consumer.observer.once('close', () => c.consumers--);
        });
      });
    });
    return counts;
  }
}
