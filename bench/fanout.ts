/**
 * npm run bench:fanout — how many classrooms one machine's SFU serves: the real server process, the host
 * teacher's real console in Chromium broadcasting camera + microphone, N simulated classrooms (each its
 * own Socket.IO connection and join token; an SRTP plain transport to a UDP sink, consuming the host with
 * Chromium's own rtpCapabilities) and a few real Chromium classroom pages as canaries. Classrooms join in
 * steps; at each step, over a measurement window: per-classroom loss, join → first video packet, CPU of
 * each mediasoup worker, the server, the browser and this harness, memory, packets delivered, and the
 * worker's CPU per delivered packet. Writes bench/results/fanout.{md,json}.
 */
import os from 'node:os';
import { launchChromium } from './support/chromium.ts';
import { openCanaryClassrooms } from './support/canaryClassrooms.ts';
import type { CanaryClassroom } from './support/canaryClassrooms.ts';
import { joinSimulatedClassroom } from './support/classroomClient.ts';
import type { SimulatedClassroom } from './support/classroomClient.ts';
import {
  classroomDelivery,
  difference,
  firstPackets,
  kindLossPercent,
  lossByWorker,
  totals,
} from './support/delivery.ts';
import { broadcastFromHostPage } from './support/hostPage.ts';
import type { HostPage } from './support/hostPage.ts';
import { startLessonServer } from './support/lessonServer.ts';
import type { LessonServer } from './support/lessonServer.ts';
import type { InboundSample } from './support/pageRtcStats.ts';
import { CpuWindow, mediasoupWorkerPids, processTree, rssMiB, udpDrops } from './support/procStats.ts';
import { distribution, gitCommit, machine, round, sleep, writeResults } from './support/report.ts';
import { GOAL_LOSS_PERCENT, renderFanout } from './support/fanoutReport.ts';
import type { FanoutWindow } from './support/fanoutReport.ts';
import { SrtpSinkPool } from './support/srtpSink.ts';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const CLASSROOMS = env('BENCH_CLASSROOMS', 800);
const STEPS = (
  process.env.BENCH_STEPS ?? [0.25, 0.5, 0.75, 1].map((f) => Math.round(f * CLASSROOMS)).join(',')
)
  .split(',')
  .map(Number)
  .filter((n, i, all) => n > 0 && n <= CLASSROOMS && all.indexOf(n) === i);
const WINDOW_SECONDS = env('BENCH_WINDOW_SECONDS', 20);
const BASELINE_SECONDS = 10;
const SETTLE_SECONDS = 5;
const CANARIES = env('BENCH_CANARIES', 2);
const MEDIA_WORKERS = env('BENCH_MEDIA_WORKERS', os.cpus().length);
/** BENCH_INGEST_WORKER=0 runs the server without its ingest worker, to compare. */
const INGEST_WORKER = process.env.BENCH_INGEST_WORKER !== '0';
const SINK_THREADS = env('BENCH_SINK_THREADS', 2);
const JOIN_CONCURRENCY = env('BENCH_JOIN_CONCURRENCY', 20);
const DECRYPT_EVERY = 50;

async function measure(
  seconds: number,
  o: {
    server: LessonServer;
    sinks: SrtpSinkPool;
    host: HostPage;
    canaries: CanaryClassroom[];
    classrooms: SimulatedClassroom[];
    memoryBefore: { server: number; workers: number };
    baselineWorkerCpu: number | undefined;
  },
): Promise<FanoutWindow> {
  const workerPids = mediasoupWorkerPids(o.server.pid);
  const cpu = new CpuWindow();
  const canaryBefore = await Promise.all(o.canaries.map((c) => c.inbound()));
  const hostBefore = await o.host.outbound();
  const drops0 = udpDrops(o.sinks.ports);
  const webRtcDrops0 = udpDrops(o.server.webRtcPorts);
  const plainDrops0 = udpDrops(o.server.plainPorts);
  cpu.start();
  const s0 = await o.sinks.snapshot();
  await sleep(seconds * 1000);
  const s1 = await o.sinks.snapshot();
  const cpuReport = cpu.stop([
    ...workerPids.map((pid, i) => ({ name: `mediasoup worker ${i + 1}`, pids: [pid] })),
    { name: 'server (node)', pids: [o.server.pid] },
    { name: 'harness (this process)', pids: [process.pid] },
    // What the harness started and is not the server: Chromium's processes.
    { name: 'chromium', pids: processTree(process.pid).filter((p) => p !== o.server.pid) },
  ]);
  const drops = udpDrops(o.sinks.ports) - drops0;
  const serverUdpDrops = {
    webRtc: udpDrops(o.server.webRtcPorts) - webRtcDrops0,
    plainAndPipe: udpDrops(o.server.plainPorts) - plainDrops0,
  };
  const hostAfter = await o.host.outbound();
  const report = await o.server.mediaReport();
  const canaryAfter = await Promise.all(o.canaries.map((c) => c.inbound()));
  const elapsed = (s1.at - s0.at) / 1000;

  const deliveries = o.classrooms.map((c) => classroomDelivery(s0, s1, c));
  const losses = deliveries.map((d) => d.lossPercent);
  const delta = difference(totals(s0, o.classrooms), totals(s1, o.classrooms));
  const workerCpuPercent = round(
    workerPids.reduce((s, _, i) => s + (cpuReport.groups[`mediasoup worker ${i + 1}`] ?? 0), 0),
  );
  const workerMicros = (percent: number): number => (percent / 100) * elapsed * 1e6;
  const server = rssMiB(o.server.pid);
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
      serverPerClassroomKiB: perClassroomKiB(server, o.memoryBefore.server),
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

const startedAt = new Date();
const server = await startLessonServer({
  classrooms: CLASSROOMS + CANARIES,
  mediaWorkers: MEDIA_WORKERS,
  ingestWorker: INGEST_WORKER,
});
const browser = await launchChromium();
const sinks = await SrtpSinkPool.start(SINK_THREADS, {
  sockets: 4,
  recvBufferBytes: 4 << 20,
  decryptEvery: DECRYPT_EVERY,
});
const classrooms: SimulatedClassroom[] = [];
const machineAtStart = machine(browser.version());
const commit = gitCommit();
try {
  const { lesson } = server;
  const host = await broadcastFromHostPage(browser, server.url, lesson.lessonId, lesson.teacherCookie);
  const { canaries, chromiumRtpCapabilities } = await openCanaryClassrooms(
    browser,
    lesson.tokens.slice(0, CANARIES).map(server.joinUrl),
  );
  const tokens = lesson.tokens.slice(CANARIES);
  const workerPids = mediasoupWorkerPids(server.pid);
  const memoryBefore = {
    server: rssMiB(server.pid),
    workers: workerPids.reduce((s, pid) => s + rssMiB(pid), 0),
  };
  const context = { server, sinks, host, canaries, classrooms, memoryBefore, baselineWorkerCpu: undefined };
  process.stderr.write(`baseline: host + ${CANARIES} canaries, ${BASELINE_SECONDS} s\n`);
  const baseline = await measure(BASELINE_SECONDS, context);
  const steps: FanoutWindow[] = [];
  for (const target of STEPS) {
    const t0 = Date.now();
    const { joined, failures } = await joinMany(classrooms.length, target, (i) =>
      joinSimulatedClassroom(i, {
        url: server.url,
        lessonId: lesson.lessonId,
        token: tokens[i]!,
        rtpCapabilities: chromiumRtpCapabilities,
        sinks,
      }),
    );
    classrooms.push(...joined);
    // Every new classroom's first video packet (a key frame), or give up after 30 s.
    let snapshot = await sinks.snapshot();
    for (let waited = 0; waited < 30_000; waited += 500) {
      if (joined.every((c) => firstPackets(snapshot, c).video !== undefined)) break;
      await sleep(500);
      snapshot = await sinks.snapshot();
    }
    const firstVideo = joined.flatMap((c) => {
      const at = firstPackets(snapshot, c).video;
      return at === undefined ? [] : [at - c.times.start];
    });
    process.stderr.write(
      `${classrooms.length} classrooms joined in ${round((Date.now() - t0) / 1000)} s (${failures.length} failed${failures[0] ? `: ${failures[0]}` : ''}); measuring ${WINDOW_SECONDS} s\n`,
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
    process.stderr.write(
      `  loss p95 ${window.loss.p95} %, worker CPU ${window.workerCpuPercent} %, ${window.packetsPerSecond} packets/s\n`,
    );
  }
  writeResults(
    'fanout',
    ...renderFanout({
      startedAt,
      commit,
      machine: machineAtStart,
      parameters: {
        classrooms: CLASSROOMS,
        steps: STEPS,
        windowSeconds: WINDOW_SECONDS,
        canaries: CANARIES,
        mediaWorkers: MEDIA_WORKERS,
        ingestWorker: INGEST_WORKER,
        sinkThreads: SINK_THREADS,
        joinConcurrency: JOIN_CONCURRENCY,
        decryptOnePacketIn: DECRYPT_EVERY,
      },
      baseline,
      steps,
      rtpCapabilities: chromiumRtpCapabilities,
      serverLog: server.logSummary(),
      hostProblems: host.problems,
    }),
  );
} catch (error) {
  const exit = server.exitCode();
  process.stderr.write(
    `${error instanceof Error ? error.stack : String(error)}\nserver ${exit === null ? 'running' : `exited (${exit})`}, stderr tail:\n${server.stderrTail()}\n`,
  );
  throw error;
} finally {
  for (const c of classrooms) c.socket.disconnect();
  await browser.close();
  await sinks.close();
  await server.stop();
}
