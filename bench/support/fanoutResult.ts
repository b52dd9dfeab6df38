/**
 * The fan-out benchmark's result: what a run measures (its parameters, each measurement window, each target's
 * ramp), the goals, and the cost of our layers against the bare router, step by step.
 */
import type { WorkerLoss } from './delivery.ts';
import type { MediaReport } from './lessonServer.ts';
import type { CpuReport } from './procStats.ts';
import { round } from './report.ts';
import type { Distribution } from './report.ts';

/** Per-classroom loss below this (95th percentile over classrooms) is the goal. */
export const GOAL_LOSS_PERCENT = 0.5;
export const meetsGoal = (s: FanoutWindow): boolean =>
  s.loss.p95 < GOAL_LOSS_PERCENT && s.loss.notReceiving === 0;
/** The product's worker µs per delivered packet may be at most this many times the bare router's. */
export const GOAL_LAYERS_RATIO = 1.1;
/**
 * Below this much worker CPU for the classrooms (% of one core, above the baseline) a step's marginal µs per
 * packet is mostly the noise of CPU accounting (10 ms ticks) and of the machine: its ratio is shown, not judged.
 */
export const MIN_MARGINAL_CPU_PERCENT = 10;
/** The bare router must forward at least this share of the host's video it receives for its figure to count. */
export const MIN_FORWARDED_SHARE = 0.95;

/** What a run measures: the server (its lesson logic on the path), the bare router, or both, one after the other. */
export const FANOUT_MODES = ['both', 'product', 'bare'] as const;
export type FanoutMode = (typeof FANOUT_MODES)[number];

export interface FanoutParameters {
  mode: FanoutMode;
  classrooms: number;
  steps: number[];
  windowSeconds: number;
  canaries: number;
  mediaWorkers: number;
  ingestWorker: boolean;
  sinkThreads: number;
  joinConcurrency: number;
  decryptOnePacketIn: number;
  /** Simulcast layers the host's camera sent (BENCH_HOST_LAYERS). */
  hostLayers: 1 | 3;
}

/** What one measurement window saw: a step of the ramp, or the baseline without simulated classrooms. */
export interface FanoutWindow {
  classrooms: number;
  seconds: number;
  cpu: CpuReport;
  workerCpuPercent: number;
  /** Worker CPU per classroom, % of one core: stable where µs/packet moves with the host's bitrate. */
  workerCpuPerClassroom: number;
  /** `common`: the lowest classroom's loss, lost by every classroom alike, so upstream of the fan-out. */
  loss: Distribution & { underGoalShare: number; notReceiving: number; common: number };
  /** Video packets each classroom received per second: equal for all when the worker forwards every packet to every one. */
  videoPacketsPerSecondPerClassroom: Distribution;
  videoLossPercent: number;
  audioLossPercent: number;
  /** Media packets that reached a classroom twice, % of distinct media packets. */
  duplicatePercent: number;
  packetsPerSecond: number;
  mediaPacketsPerSecond: number;
  mbitPerSecondPerClassroom: number;
  workerMicrosPerPacket: number | null;
  /** Same, minus the window with no simulated classroom (host and canaries only). */
  workerMicrosPerPacketMarginal: number | null;
  sinkCpuPercent: number;
  sinkUdpDrops: number;
  /** Datagrams the kernel dropped before a worker read them: WebRTC ingress (host, canaries), plain and pipe transports. */
  serverUdpDrops: { webRtc: number; plainAndPipe: number };
  decrypted: number;
  decryptFailed: number;
  /** `server`: the lesson server's process (null against the bare router, which has none). */
  memoryMiB: {
    server: number | null;
    workers: number;
    serverPerClassroomKiB: number | null;
    workersPerClassroomKiB: number;
  };
  canaries: {
    fps: number;
    videoPacketsLost: number;
    videoPackets: number;
    audioPacketsLost: number;
    freezes: number;
  }[];
  host: {
    kbitPerSecond: number;
    /** The host browser's own bandwidth estimate towards the SFU. */
    estimateKbit: number;
    width: number;
    height: number;
    fps: number;
    limitedBy: string;
  };
  joinToFirstVideoMs?: Distribution;
  joinToResumedMs?: Distribution;
  failedJoins?: number;
  /**
   * Against the bare router: the host's packets it received per second from the relay (the server's classroom
   * that feeds it), and whether that classroom had to consume a republished host (the bare router would not
   * follow: its stream would stop).
   */
  relay?: {
    videoPacketsPerSecond: number;
    audioPacketsPerSecond: number;
    reconsumed: number;
    mediaResets: number;
    followError: string | null;
  };
  mediaResets: number;
  /** Classrooms that consumed the host again because it republished, and those that failed to. */
  reconsumed: number;
  followErrors: number;
  loadAverage: number;
  lossByWorker: WorkerLoss[];
  mediaReport: { workers: MediaReport['workers']; producers: { source: string; pipedTo: number }[] };
}

/** One target's ramp: its baseline without simulated classrooms, then every step. */
export interface FanoutPhase {
  mode: 'product' | 'bare';
  /** mediasoup workers measured (forwarding + ingest), and the file they run. */
  workers: number;
  workerBinary: string | null;
  baseline: FanoutWindow;
  steps: FanoutWindow[];
}

/** The cost of our layers at one step: the product's worker µs per delivered packet against the bare router's. */
export interface LayersCost {
  classrooms: number;
  productMicrosPerPacket: { gross: number | null; marginal: number | null };
  bareMicrosPerPacket: { gross: number | null; marginal: number | null };
  /** product ÷ bare; the marginal ratio (each above its own baseline without classrooms) is the one judged. */
  ratio: { gross: number | null; marginal: number | null };
  /**
   * Of the host's video packets the bare router received per second, the share each of its classrooms got
   * (p50): below 1, its consumers dropped some (a consumer renumbers what it forwards, so that is no loss at the
   * sink) and its µs per delivered packet is too high.
   */
  bareForwardedShare: number | null;
  /** Null: not judged (no marginal figure, too little CPU on one side to tell from noise, or the bare router dropped). */
  goalMet: boolean | null;
}

const ratioOf = (a: number | null, b: number | null): number | null =>
  a !== null && b !== null && b > 0 ? round(a / b, 2) : null;

export function layersCost(product: FanoutPhase, bare: FanoutPhase): LayersCost[] {
  return product.steps.flatMap((p, i) => {
    const b = bare.steps[i];
    if (!b) return [];
    const marginal = ratioOf(p.workerMicrosPerPacketMarginal, b.workerMicrosPerPacketMarginal);
    const forwarded = b.relay?.videoPacketsPerSecond
      ? round(b.videoPacketsPerSecondPerClassroom.p50 / b.relay.videoPacketsPerSecond, 2)
      : null;
    const judged =
      p.workerCpuPercent - product.baseline.workerCpuPercent >= MIN_MARGINAL_CPU_PERCENT &&
      b.workerCpuPercent - bare.baseline.workerCpuPercent >= MIN_MARGINAL_CPU_PERCENT &&
      forwarded !== null &&
      forwarded >= MIN_FORWARDED_SHARE;
    return [
      {
        classrooms: p.classrooms,
        productMicrosPerPacket: { gross: p.workerMicrosPerPacket, marginal: p.workerMicrosPerPacketMarginal },
        bareMicrosPerPacket: { gross: b.workerMicrosPerPacket, marginal: b.workerMicrosPerPacketMarginal },
        ratio: { gross: ratioOf(p.workerMicrosPerPacket, b.workerMicrosPerPacket), marginal },
        bareForwardedShare: forwarded,
        goalMet: marginal === null || !judged ? null : marginal <= GOAL_LAYERS_RATIO,
      },
    ];
  });
}
