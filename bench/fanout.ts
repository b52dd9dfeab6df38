/**
 * npm run bench:fanout — how many classrooms one machine's SFU serves, and what our layers cost on top of
 * mediasoup. The real server process, the host teacher's real console in Chromium broadcasting camera +
 * microphone, N simulated classrooms (each its own Socket.IO connection and join token; an SRTP plain
 * transport to a UDP sink, consuming the host with Chromium's own rtpCapabilities) and a few real Chromium
 * classroom pages as canaries. Classrooms join in steps; at each step, over a measurement window:
 * per-classroom loss, join → first video packet, CPU of each mediasoup worker, the server, the browser and
 * this harness, memory, packets delivered, and the worker's CPU per delivered packet.
 *
 * Then, in the same run on the same machine, the same steps against the bare router (support/bareRouter.ts):
 * the same mediasoup worker binary and worker layout, fed the same host stream (relayed by the server), the
 * same SRTP consumers into the same sinks, and no lesson or signaling code. The product's worker µs per
 * delivered packet over the bare router's is the cost of our layers (goal ≤ 1.1×).
 *
 *   --mode both|product|bare   what to measure (default both; BENCH_MODE)
 *   --classrooms N             the largest step (default 800, or the largest of --steps; BENCH_CLASSROOMS)
 *   --steps a,b,…              classrooms per step (default N/4, N/2, 3N/4, N; BENCH_STEPS)
 *   --window S                 seconds measured per step (default 20; BENCH_WINDOW_SECONDS)
 *   --out NAME                 writes bench/results/NAME.{md,json} (default fanout for the full run in both
 *                              modes, else fanout-<mode>-<N>, so a short run never replaces the real figures)
 *
 * Also BENCH_CANARIES (2), BENCH_MEDIA_WORKERS (one per core), BENCH_INGEST_WORKER=0 (no ingest worker, to
 * compare), BENCH_SINK_THREADS (2), BENCH_JOIN_CONCURRENCY (20), BENCH_HOST_LAYERS=1 (the host's camera as
 * one layer instead of three; the full run then writes fanout-single-layer).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { freePortRange } from '@cloudschool/testkit';
import { loadConfig } from '../signaling/src/config.ts';
import { BareRouter, relayHost } from './support/bareRouter.ts';
import type { MediaKind } from '@cloudschool/protocol';
import type { LessonClassroom, SimulatedClassroom } from './support/classroomClient.ts';
import {
  classroomDelivery,
  difference,
  firstPackets,
  kindLossPercent,
  lossByWorker,
  totals,
} from './support/delivery.ts';
import { renderFanout } from './support/fanoutReport.ts';
import { FANOUT_MODES, GOAL_LOSS_PERCENT } from './support/fanoutResult.ts';
import type { FanoutMode, FanoutPhase, FanoutWindow } from './support/fanoutResult.ts';
import { lessonRigOptions, withLessonRig } from './support/lessonRig.ts';
import type { LessonRig } from './support/lessonRig.ts';
import type { MediaReport } from './support/lessonServer.ts';
import type { InboundSample } from './support/pageRtcStats.ts';
import {
  CpuWindow,
  executable,
  mediaCpuGroups,
  mediasoupWorkerPids,
  rssMiB,
  udpDrops,
  workersCpuPercent,
} from './support/procStats.ts';
import { distribution, round, sleep, writeResults } from './support/report.ts';

const DEFAULT_CLASSROOMS = 800;
const { values: args } = parseArgs({
  options: {
    mode: { type: 'string' },
    classrooms: { type: 'string' },
    steps: { type: 'string' },
    window: { type: 'string' },
    out: { type: 'string' },
  },
});
const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const MODE = (args.mode ?? process.env.BENCH_MODE ?? 'both') as FanoutMode;
if (!FANOUT_MODES.includes(MODE)) throw new Error(`--mode must be one of ${FANOUT_MODES.join(', ')}`);
const stepList = (args.steps ?? process.env.BENCH_STEPS)?.split(',').map(Number);
const CLASSROOMS = Number(
  args.classrooms ?? process.env.BENCH_CLASSROOMS ?? (stepList ? Math.max(...stepList) : DEFAULT_CLASSROOMS),
);
const STEPS = (stepList ?? [0.25, 0.5, 0.75, 1].map((f) => Math.round(f * CLASSROOMS))).filter(
  (n, i, all) => n > 0 && n <= CLASSROOMS && all.indexOf(n) === i,
);
if (STEPS.length === 0) throw new Error('no step between 1 and --classrooms');
const WINDOW_SECONDS = Number(args.window ?? process.env.BENCH_WINDOW_SECONDS ?? 20);
const BASELINE_SECONDS = 10;
const SETTLE_SECONDS = 5;
// One more token for the classroom that relays the host to the bare router.
const RIG = lessonRigOptions(CLASSROOMS + 1, { canaries: 2 });
const FULL_RUN = MODE === 'both' && CLASSROOMS === DEFAULT_CLASSROOMS;
const OUT =
  args.out ??
  (FULL_RUN ? (RIG.hostLayers === 1 ? 'fanout-single-layer' : 'fanout') : `fanout-${MODE}-${CLASSROOMS}`);
const JOIN_CONCURRENCY = env('BENCH_JOIN_CONCURRENCY', 20);

/** What the classrooms join: the server (its lesson, its workers) or the bare router. */
interface FanoutTarget {
  mode: 'product' | 'bare';
  /** The mediasoup workers measured, in report order. */
  workerPids: number[];
  /** The process running lesson logic for these classrooms (product only). */
  serverPid: number | undefined;
  /** UDP ports of the workers: WebRTC (the host and the canaries), then plain and pipe transports. */
  webRtcPorts: number[];
  plainPorts: number[];
  mediaReport(): Promise<MediaReport>;
  join(index: number): Promise<SimulatedClassroom>;
  /** Bare router only: the host's packets it received so far, and how the relay fared. */
  relay?: {
    ingestPackets(): Promise<Record<MediaKind, number>>;
    classroom: LessonClassroom;
  };
}

interface WindowContext {
  rig: LessonRig;
  target: FanoutTarget;
  classrooms: SimulatedClassroom[];
  memoryBefore: { server: number; workers: number };
  baselineWorkerCpu: number | undefined;
}

async function measure(seconds: number, o: WindowContext): Promise<FanoutWindow> {
  const { rig, target } = o;
  const { workerPids } = target;
  const cpu = new CpuWindow();
  const canaryBefore = await Promise.all(rig.canaries.map((c) => c.inbound()));
  const hostBefore = await rig.host.outbound();
  const drops0 = udpDrops(rig.sinks.ports);
  const webRtcDrops0 = udpDrops(target.webRtcPorts);
  const plainDrops0 = udpDrops(target.plainPorts);
  const in0 = await target.relay?.ingestPackets();
  cpu.start();
  const s0 = await rig.sinks.snapshot();
  await sleep(seconds * 1000);
  const s1 = await rig.sinks.snapshot();
  const in1 = await target.relay?.ingestPackets();
  const cpuReport = cpu.stop(mediaCpuGroups({ workerPids, serverPid: rig.server.pid }));
  const drops = udpDrops(rig.sinks.ports) - drops0;
  const serverUdpDrops = {
    webRtc: udpDrops(target.webRtcPorts) - webRtcDrops0,
    plainAndPipe: udpDrops(target.plainPorts) - plainDrops0,
  };
  const hostAfter = await rig.host.outbound();
  const report = await target.mediaReport();
  const canaryAfter = await Promise.all(rig.canaries.map((c) => c.inbound()));
  const elapsed = (s1.at - s0.at) / 1000;

  const deliveries = o.classrooms.map((c) => classroomDelivery(s0, s1, c));
  const losses = deliveries.map((d) => d.lossPercent);
  const delta = difference(totals(s0, o.classrooms), totals(s1, o.classrooms));
  const workerCpuPercent = workersCpuPercent(cpuReport);
  const workerMicros = (percent: number): number => (percent / 100) * elapsed * 1e6;
  const server = target.serverPid === undefined ? null : rssMiB(target.serverPid);
  const workers = round(workerPids.reduce((s, pid) => s + rssMiB(pid), 0));
  const perClassroomKiB = (now: number, before: number): number =>
    o.classrooms.length ? round(((now - before) * 1024) / o.classrooms.length) : 0;
  const canaryDelta = (b: InboundSample, a: InboundSample): FanoutWindow['canaries'][number] => ({
    fps: round((a.framesDecoded - b.framesDecoded) / elapsed),
    videoPackets: a.videoPackets - b.videoPackets,
    videoPacketsLost: a.videoPacketsLost - b.videoPacketsLost,
    audioPacketsLost: a.audioPacketsLost - b.audioPacketsLost,
    freezes: a.freezeCount - b.freezeCount,
  });
  return {
    classrooms: o.classrooms.length,
    seconds: round(elapsed),
    cpu: cpuReport,
    workerCpuPercent,
    workerCpuPerClassroom: o.classrooms.length ? round(workerCpuPercent / o.classrooms.length, 3) : 0,
    loss: {
      ...distribution(losses, 3),
      underGoalShare: losses.length
        ? round((100 * losses.filter((l) => l < GOAL_LOSS_PERCENT).length) / losses.length)
        : 100,
      notReceiving: deliveries.filter((d) => d.video.received === 0 || d.audio.received === 0).length,
      common: losses.length ? round(Math.min(...losses), 3) : 0,
    },
    videoPacketsPerSecondPerClassroom: distribution(
      deliveries.map((d) => d.video.received / elapsed),
      1,
    ),
    videoLossPercent: kindLossPercent(deliveries, 'video'),
    audioLossPercent: kindLossPercent(deliveries, 'audio'),
    duplicatePercent: delta.mediaPackets ? round((100 * delta.mediaDuplicates) / delta.mediaPackets, 3) : 0,
    packetsPerSecond: Math.round(delta.packets / elapsed),
    mediaPacketsPerSecond: Math.round(delta.mediaPackets / elapsed),
    mbitPerSecondPerClassroom: o.classrooms.length
      ? round((delta.bytes * 8) / elapsed / 1e6 / o.classrooms.length, 2)
      : 0,
    workerMicrosPerPacket: delta.packets ? round(workerMicros(workerCpuPercent) / delta.packets, 2) : null,
    workerMicrosPerPacketMarginal:
      delta.packets && o.baselineWorkerCpu !== undefined
        ? round(workerMicros(workerCpuPercent - o.baselineWorkerCpu) / delta.packets, 2)
        : null,
    sinkCpuPercent: round(((s1.cpuMicros - s0.cpuMicros) / 1e6 / elapsed) * 100),
    sinkUdpDrops: drops,
    serverUdpDrops,
    decrypted: delta.decrypted,
    decryptFailed: delta.decryptFailed,
    memoryMiB: {
      server,
      workers,
      serverPerClassroomKiB: server === null ? null : perClassroomKiB(server, o.memoryBefore.server),
      workersPerClassroomKiB: perClassroomKiB(workers, o.memoryBefore.workers),
    },
    canaries: canaryBefore.map((b, i) => canaryDelta(b, canaryAfter[i]!)),
    host: {
      kbitPerSecond: Math.round(((hostAfter.bytesSent - hostBefore.bytesSent) * 8) / elapsed / 1000),
      estimateKbit: Math.round(hostAfter.availableOutgoingBitrate / 1000),
      width: hostAfter.frameWidth,
      height: hostAfter.frameHeight,
      fps: hostAfter.framesPerSecond,
      limitedBy: hostAfter.qualityLimitationReason,
    },
    lossByWorker: lossByWorker(o.classrooms, losses, report),
    mediaReport: {
      workers: report.workers,
      producers: report.producers.map((p) => ({ source: p.source, pipedTo: p.pipedTo })),
    },
    ...(in0 && in1 && target.relay
      ? {
          relay: {
            videoPacketsPerSecond: Math.round((in1.video - in0.video) / elapsed),
            audioPacketsPerSecond: Math.round((in1.audio - in0.audio) / elapsed),
            reconsumed: target.relay.classroom.reconsumed,
            mediaResets: target.relay.classroom.mediaResets,
            followError: target.relay.classroom.followError ?? null,
          },
        }
      : {}),
    mediaResets: o.classrooms.reduce((s, c) => s + c.mediaResets, 0),
    reconsumed: o.classrooms.filter((c) => c.reconsumed > 0).length,
    followErrors: o.classrooms.filter((c) => c.followError).length,
    loadAverage: round(os.loadavg()[0]!, 2),
  };
}

/** Joins classrooms `from`…`to − 1`, `JOIN_CONCURRENCY` at a time; answers those that joined. */
async function joinMany(
  from: number,
  to: number,
  join: (index: number) => Promise<SimulatedClassroom>,
): Promise<{ joined: SimulatedClassroom[]; failures: string[] }> {
  const joined: SimulatedClassroom[] = [];
  const failures: string[] = [];
  let next = from;
  await Promise.all(
    Array.from({ length: JOIN_CONCURRENCY }, async () => {
      while (next < to) {
        const index = next++;
        await join(index).then(
          (c) => joined.push(c),
          (e: Error) => failures.push(e.message),
        );
      }
    }),
  );
  return { joined: joined.sort((a, b) => a.index - b.index), failures };
}

/** The baseline (no simulated classroom), then every step against one target; its classrooms leave after. */
async function ramp(rig: LessonRig, target: FanoutTarget): Promise<FanoutPhase> {
  const say = (line: string): boolean => process.stderr.write(`[${target.mode}] ${line}\n`);
  const classrooms: SimulatedClassroom[] = [];
  try {
    const memoryBefore = {
      server: target.serverPid === undefined ? 0 : rssMiB(target.serverPid),
      workers: target.workerPids.reduce((s, pid) => s + rssMiB(pid), 0),
    };
    const context: WindowContext = { rig, target, classrooms, memoryBefore, baselineWorkerCpu: undefined };
    say(
      `baseline, no simulated classroom (${target.mode === 'product' ? `host + ${RIG.canaries} canaries` : 'the relayed host'}): ${BASELINE_SECONDS} s`,
    );
    const baseline = await measure(BASELINE_SECONDS, context);
    const steps: FanoutWindow[] = [];
    for (const step of STEPS) {
      const t0 = Date.now();
      const { joined, failures } = await joinMany(classrooms.length, step, (i) => target.join(i));
      classrooms.push(...joined);
      // Every new classroom's first video packet (a key frame), or give up after 30 s.
      let snapshot = await rig.sinks.snapshot();
      for (let waited = 0; waited < 30_000; waited += 500) {
        if (joined.every((c) => firstPackets(snapshot, c).video !== undefined)) break;
        await sleep(500);
        snapshot = await rig.sinks.snapshot();
      }
      const firstVideo = joined.flatMap((c) => {
        const at = firstPackets(snapshot, c).video;
        return at === undefined ? [] : [at - c.times.start];
      });
      say(
        `${classrooms.length} classrooms joined in ${round((Date.now() - t0) / 1000)} s (${failures.length} failed${failures[0] ? `: ${failures[0]}` : ''}); measuring ${WINDOW_SECONDS} s`,
      );
      await sleep(SETTLE_SECONDS * 1000);
      const window = await measure(WINDOW_SECONDS, {
        ...context,
        baselineWorkerCpu: baseline.workerCpuPercent,
      });
      window.joinToFirstVideoMs = distribution(firstVideo, 0);
      window.joinToResumedMs = distribution(
        joined.filter((c) => c.times.resumed > 0).map((c) => c.times.resumed - c.times.start),
        0,
      );
      window.failedJoins = failures.length;
      steps.push(window);
      say(
        `  ${window.relay ? `relay in ${window.relay.videoPacketsPerSecond} + ${window.relay.audioPacketsPerSecond} packets/s, ` : ''}video packets/s per classroom ${window.videoPacketsPerSecondPerClassroom.min} … ${window.videoPacketsPerSecondPerClassroom.max}, loss p95 ${window.loss.p95} %, worker CPU ${window.workerCpuPercent} %, ${window.packetsPerSecond} packets/s, ${window.workerMicrosPerPacket} / ${window.workerMicrosPerPacketMarginal} µs per packet (gross / marginal)`,
      );
    }
    return {
      mode: target.mode,
      workers: target.workerPids.length,
      workerBinary: executable(target.workerPids[0]!),
      baseline,
      steps,
    };
  } finally {
    for (const c of classrooms) c.close();
  }
}

function productTarget(rig: LessonRig): FanoutTarget {
  const { server } = rig;
  return {
    mode: 'product',
    workerPids: mediasoupWorkerPids(server.pid),
    serverPid: server.pid,
    webRtcPorts: server.webRtcPorts,
    plainPorts: server.plainPorts,
    mediaReport: () => server.mediaReport(),
    join: (index) => rig.joinClassroom(index),
  };
}

/** The bare router in the server's layout, fed the host by a relay classroom; runs `use`, then closes both. */
async function withBareTarget<T>(rig: LessonRig, use: (target: FanoutTarget) => Promise<T>): Promise<T> {
  const plainPortCount = 2 * CLASSROOMS + 100;
  const plainMin = await freePortRange(plainPortCount);
  const bare = await BareRouter.create({
    forwardingWorkers: RIG.mediaWorkers,
    ingestWorker: RIG.ingestWorker,
    plainPorts: { min: plainMin, max: plainMin + plainPortCount - 1 },
    // As the server's producers: its configuration, read the way the server reads it.
    keyFrameRequestDelayMs: loadConfig(rig.server.env).media.keyFrameRequestDelayMs,
  });
  try {
    // The token after the simulated classrooms' is the relay's.
    const relay = await relayHost(bare, (receiveAt) => rig.joinClassroom(CLASSROOMS, receiveAt));
    try {
      return await use({
        mode: 'bare',
        workerPids: bare.workerPids,
        serverPid: undefined,
        webRtcPorts: [],
        plainPorts: Array.from({ length: plainPortCount }, (_, i) => plainMin + i),
        mediaReport: () => Promise.resolve(bare.mediaReport()),
        join: (index) => bare.join(index, rig.chromiumRtpCapabilities, rig.sinks),
        relay: { ingestPackets: () => bare.ingestPackets(), classroom: relay },
      });
    } finally {
      relay.close();
    }
  } finally {
    await bare.close();
  }
}

await withLessonRig(RIG, async (rig) => {
  let product: FanoutPhase | undefined;
  let bare: FanoutPhase | undefined;
  if (MODE !== 'bare') product = await ramp(rig, productTarget(rig));
  if (MODE !== 'product') {
    // The server's classrooms have left: let it settle before the bare router's baseline.
    if (product) await sleep(SETTLE_SECONDS * 1000);
    bare = await withBareTarget(rig, (target) => ramp(rig, target));
  }
  writeResults(
    OUT,
    ...renderFanout({
      startedAt: rig.startedAt,
      commit: rig.commit,
      command: [
        'npm run bench:fanout',
        ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
      ].join(' '),
      machine: rig.machine,
      parameters: {
        mode: MODE,
        classrooms: CLASSROOMS,
        steps: STEPS,
        windowSeconds: WINDOW_SECONDS,
        canaries: RIG.canaries,
        mediaWorkers: RIG.mediaWorkers,
        ingestWorker: RIG.ingestWorker,
        sinkThreads: RIG.sinkThreads,
        joinConcurrency: JOIN_CONCURRENCY,
        decryptOnePacketIn: RIG.decryptEvery,
        hostLayers: RIG.hostLayers,
      },
      product,
      bare,
      rtpCapabilities: rig.chromiumRtpCapabilities,
      serverLog: rig.server.logSummary(),
      hostProblems: rig.host.problems,
    }),
  );
});
