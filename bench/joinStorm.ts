/**
 * npm run bench:join-storm — N classrooms join a live lesson within T seconds (start times spread
 * uniformly), as at the top of the hour. Each joining classroom needs a key frame; the SFU damps the
 * requests (keyFrameRequestDelay) so the teacher's uplink should not burst. Measured: that every
 * classroom receives and how soon, and the host teacher's real outgoing bitrate (Chromium getStats(),
 * outbound-rtp bytesSent over every stream, sampled each second) in steady state before the storm,
 * during it and after, with key frames encoded and key frame requests received.
 * Writes bench/results/join-storm.{md,json} (join-storm-single-layer with BENCH_HOST_LAYERS=1: the host's
 * camera as one layer, as before simulcast).
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../signaling/src/config.ts';
import type { SimulatedClassroom } from './support/classroomClient.ts';
import { classroomDelivery, firstPackets, kindLossPercent, lossByWorker } from './support/delivery.ts';
import { GOAL_BURST_RATIO, renderJoinStorm } from './support/joinStormReport.ts';
import type { CanaryPhase, JoinStormResult } from './support/joinStormReport.ts';
import { lessonRigOptions, withLessonRig } from './support/lessonRig.ts';
import { probeHealth } from './support/lessonServer.ts';
import type { LessonServer } from './support/lessonServer.ts';
import type { InboundSample } from './support/pageRtcStats.ts';
import {
  CpuWindow,
  mediaCpuGroups,
  mediasoupWorkerPids,
  udpDrops,
  workersCpuPercent,
} from './support/procStats.ts';
import { distribution, round, sleep, writeResults } from './support/report.ts';
import type { SinkSnapshot } from './support/srtpSink.ts';
import { blocksKbit, maxWindowKbit, phase, sampleEverySecond } from './support/uplink.ts';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const CLASSROOMS = env('BENCH_CLASSROOMS', 800);
const STORM_SECONDS = env('BENCH_STORM_SECONDS', 60);
/** The host's encoder ramps up after going live; the steady state is measured after this. */
const WARMUP_SECONDS = env('BENCH_WARMUP_SECONDS', 20);
const STEADY_SECONDS = env('BENCH_STEADY_SECONDS', 15);
const AFTER_SECONDS = env('BENCH_AFTER_SECONDS', 15);
const RIG = lessonRigOptions(CLASSROOMS, { canaries: 1 });
const CANARIES = RIG.canaries;
/** How long the run waits for a classroom's first video packet after its join started. */
const FIRST_PACKET_DEADLINE_SECONDS = 30;
const BURST_WINDOW_SECONDS = 5;

const canaryPhase = (a: InboundSample[], b: InboundSample[], seconds: number): CanaryPhase[] =>
  a.map((x, i) => ({
    fps: round((b[i]!.framesDecoded - x.framesDecoded) / seconds),
    videoPacketsLost: b[i]!.videoPacketsLost - x.videoPacketsLost,
    freezes: b[i]!.freezeCount - x.freezeCount,
  }));

await withLessonRig(RIG, async (rig) => {
  const { server, sinks, host, canaries } = rig;
  const classrooms: SimulatedClassroom[] = [];
  const uplink = sampleEverySecond(host);

  process.stderr.write(`host live; warm-up ${WARMUP_SECONDS} s, steady state ${STEADY_SECONDS} s\n`);
  await sleep(WARMUP_SECONDS * 1000);
  const steadyStart = Date.now();
  await sleep(STEADY_SECONDS * 1000);

  const canaryBefore = await Promise.all(canaries.map((c) => c.inbound()));
  const workerPids = mediasoupWorkerPids(server.pid);
  const cpu = new CpuWindow();
  cpu.start();
  const dropsAtStart = { sinks: udpDrops(sinks.ports), ...serverDrops(server) };
  const loopAtStart = performance.eventLoopUtilization();
  const health = probeHealth(server.url);
  const stormStart = Date.now();
  process.stderr.write(`storm: ${CLASSROOMS} classrooms in ${STORM_SECONDS} s\n`);
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: CLASSROOMS }, async (_, i) => {
      await sleep(stormStart + (i * STORM_SECONDS * 1000) / CLASSROOMS - Date.now());
      try {
        classrooms.push(await rig.joinClassroom(i));
      } catch (error) {
        failures.push((error as Error).message);
      }
    }),
  );
  const joinsDone = Date.now();
  const healthMs = await health.stop();
  const mainThreadBusy = round(100 * performance.eventLoopUtilization(loopAtStart).utilization);
  const stormEnd = Math.max(stormStart + STORM_SECONDS * 1000, joinsDone);
  const cpuReport = cpu.stop(mediaCpuGroups({ workerPids, serverPid: server.pid }));
  const canaryDuring = await Promise.all(canaries.map((c) => c.inbound()));

  // Every classroom's first video packet, or the deadline after the last join started.
  let snapshot = await sinks.snapshot();
  const deadline = Math.max(...classrooms.map((c) => c.times.start)) + FIRST_PACKET_DEADLINE_SECONDS * 1000;
  while (Date.now() < deadline && !classrooms.every((c) => firstPackets(snapshot, c).video !== undefined)) {
    await sleep(500);
    snapshot = await sinks.snapshot();
  }
  const afterStart = Date.now();
  const dropsAfterStorm = serverDrops(server);
  const afterBefore = await sinks.snapshot();
  await sleep(AFTER_SECONDS * 1000);
  const afterEnd = await sinks.snapshot();
  await uplink.stop();
  const dropsAtEnd = { sinks: udpDrops(sinks.ports), ...serverDrops(server) };
  const canaryAfter = await Promise.all(canaries.map((c) => c.inbound()));
  const canaryAfterAt = Date.now();
  const report = await server.mediaReport();

  const firstVideoMs: number[] = [];
  const firstAudioMs: number[] = [];
  let receiving = 0;
  for (const c of classrooms) {
    const first = firstPackets(afterEnd, c);
    if (first.video !== undefined) firstVideoMs.push(first.video - c.times.start);
    if (first.audio !== undefined) firstAudioMs.push(first.audio - c.times.start);
    if (first.video !== undefined && first.audio !== undefined) receiving++;
  }
  const fromTheStart: SinkSnapshot = { at: 0, cpuMicros: 0, byClassroom: new Map() };
  const wholeRunLoss = classrooms.map((c) => classroomDelivery(fromTheStart, afterEnd, c).lossPercent);
  const afterDeliveries = classrooms.map((c) => classroomDelivery(afterBefore, afterEnd, c));
  const afterLoss = afterDeliveries.map((d) => d.lossPercent);

  const { samples } = uplink;
  const steady = phase(samples, steadyStart, stormStart);
  const storm = phase(samples, stormStart, stormEnd);
  const after = phase(samples, afterStart, afterStart + AFTER_SECONDS * 1000);
  const stormMax = maxWindowKbit(samples, stormStart, stormEnd, BURST_WINDOW_SECONDS);
  const ratio = round(stormMax / steady.kbitPerSecond, 2);
  const json: JoinStormResult = {
    benchmark: `join storm: ${CLASSROOMS} classrooms join a live lesson within ${STORM_SECONDS} s`,
    date: rig.startedAt.toISOString(),
    commit: rig.commit,
    command: 'npm run bench:join-storm',
    parameters: {
      classrooms: CLASSROOMS,
      stormSeconds: STORM_SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      steadySeconds: STEADY_SECONDS,
      afterSeconds: AFTER_SECONDS,
      canaries: CANARIES,
      mediaWorkers: RIG.mediaWorkers,
      ingestWorker: RIG.ingestWorker,
      // As the server's producers: its configuration, read the way the server reads it.
      keyFrameRequestDelayMs: loadConfig(server.env).media.keyFrameRequestDelayMs,
      hostLayers: RIG.hostLayers,
      burstWindowSeconds: BURST_WINDOW_SECONDS,
      firstPacketDeadlineSeconds: FIRST_PACKET_DEADLINE_SECONDS,
    },
    machine: rig.machine,
    goals: {
      allReceive: 'every classroom receives video and audio',
      burst: `max ${BURST_WINDOW_SECONDS}-s host bitrate during the storm ≤ ${GOAL_BURST_RATIO} × steady-state mean`,
    },
    result: {
      joined: classrooms.length,
      failedJoins: failures.length,
      failures: failures.slice(0, 10),
      receiving,
      allReceive: receiving === CLASSROOMS,
      joinToFirstVideoMs: distribution(firstVideoMs, 0),
      joinToFirstAudioMs: distribution(firstAudioMs, 0),
      joinToResumedMs: distribution(
        classrooms.filter((c) => c.times.resumed > 0).map((c) => c.times.resumed - c.times.start),
        0,
      ),
      videoLaterThanDeadline: firstVideoMs.filter((ms) => ms > FIRST_PACKET_DEADLINE_SECONDS * 1000).length,
      joinsFinishedSecondsAfterStormStart: round((joinsDone - stormStart) / 1000),
      lossWholeRun: distribution(wholeRunLoss, 3),
      lossAfterStorm: distribution(afterLoss, 3),
      videoLossAfterStormPercent: kindLossPercent(afterDeliveries, 'video'),
      audioLossAfterStormPercent: kindLossPercent(afterDeliveries, 'audio'),
      lossByWorkerWholeRun: lossByWorker(classrooms, wholeRunLoss, report),
      lossByWorkerAfterStorm: lossByWorker(classrooms, afterLoss, report),
      serverHealthProbeMs: distribution(healthMs, 0),
      harnessMainThreadBusyPercent: mainThreadBusy,
      lessonStatePushesReceived: classrooms.reduce((sum, c) => sum + c.statePushes, 0),
      udpDrops: {
        sinks: dropsAtEnd.sinks - dropsAtStart.sinks,
        webRtc: dropsAtEnd.webRtc - dropsAtStart.webRtc,
        plainAndPipe: dropsAtEnd.plainAndPipe - dropsAtStart.plainAndPipe,
        webRtcAfterStorm: dropsAtEnd.webRtc - dropsAfterStorm.webRtc,
        plainAndPipeAfterStorm: dropsAtEnd.plainAndPipe - dropsAfterStorm.plainAndPipe,
      },
      mediaResets: classrooms.reduce((s, c) => s + c.mediaResets, 0),
      reconsumed: classrooms.filter((c) => c.reconsumed > 0).length,
      followErrors: classrooms.filter((c) => c.followError).length,
      host: {
        steady,
        storm,
        after,
        steadyMaxWindowKbit: maxWindowKbit(
          samples,
          steadyStart,
          stormStart - BURST_WINDOW_SECONDS * 1000,
          BURST_WINDOW_SECONDS,
        ),
        stormMaxWindowKbit: stormMax,
        burstRatio: ratio,
        burstGoalMet: ratio <= GOAL_BURST_RATIO,
        throttled: Math.min(storm.estimateKbit.min, after.estimateKbit.min) < 0.5 * steady.estimateKbit.mean,
        stormFromSecond: round((stormStart - steadyStart) / 1000),
        stormToSecond: round((stormEnd - steadyStart) / 1000),
        blocksKbit: blocksKbit(samples, steadyStart, BURST_WINDOW_SECONDS),
      },
      canariesDuringStorm: canaryPhase(canaryBefore, canaryDuring, (stormEnd - stormStart) / 1000),
      canariesAfter: canaryPhase(canaryDuring, canaryAfter, (canaryAfterAt - stormEnd) / 1000),
      cpuDuringStorm: cpuReport,
      workersCpuDuringStorm: workersCpuPercent(cpuReport),
    },
    serverLog: server.logSummary(),
    hostPageProblems: host.problems,
    hostSamples: samples.map((s) => ({
      t: round((s.at - stormStart) / 1000),
      bytesSent: s.bytesSent,
      keyFramesEncoded: s.keyFramesEncoded,
      pliCount: s.pliCount,
      firCount: s.firCount,
      estimateKbit: Math.round(s.availableOutgoingBitrate / 1000),
      width: s.frameWidth,
      limitedBy: s.qualityLimitationReason,
    })),
  };
  writeResults(RIG.hostLayers === 1 ? 'join-storm-single-layer' : 'join-storm', json, renderJoinStorm(json));
});

/** Datagrams the kernel dropped so far on the workers' WebRTC ports and on plain and pipe transports. */
function serverDrops(server: LessonServer): { webRtc: number; plainAndPipe: number } {
  return { webRtc: udpDrops(server.webRtcPorts), plainAndPipe: udpDrops(server.plainPorts) };
}
