/** The join-storm benchmark's result (the JSON written) and its write-up for a product owner. */
import { describeLossByWorker } from './delivery.ts';
import type { WorkerLoss } from './delivery.ts';
import type { HostPage } from './hostPage.ts';
import type { LogLine } from './lessonServer.ts';
import type { CpuReport } from './procStats.ts';
import { hostProblemsLine, logSection, workers } from './report.ts';
import type { Distribution, Machine } from './report.ts';
import type { Phase } from './uplink.ts';

export const GOAL_BURST_RATIO = 1.3;

export interface CanaryPhase {
  fps: number;
  videoPacketsLost: number;
  freezes: number;
}

export interface JoinStormResult {
  benchmark: string;
  date: string;
  commit: string;
  command: string;
  parameters: {
    classrooms: number;
    stormSeconds: number;
    warmupSeconds: number;
    steadySeconds: number;
    afterSeconds: number;
    canaries: number;
    mediaWorkers: number;
    ingestWorker: boolean;
    keyFrameRequestDelayMs: number;
    /** Simulcast layers the host's camera sent (BENCH_HOST_LAYERS). */
    hostLayers: 1 | 3;
    burstWindowSeconds: number;
    firstPacketDeadlineSeconds: number;
  };
  machine: Machine;
  goals: { allReceive: string; burst: string };
  result: {
    joined: number;
    failedJoins: number;
    failures: string[];
    /** Classrooms that got both video and audio at some point. */
    receiving: number;
    allReceive: boolean;
    joinToFirstVideoMs: Distribution;
    joinToFirstAudioMs: Distribution;
    joinToResumedMs: Distribution;
    videoLaterThanDeadline: number;
    joinsFinishedSecondsAfterStormStart: number;
    lossWholeRun: Distribution;
    lossAfterStorm: Distribution;
    videoLossAfterStormPercent: number;
    audioLossAfterStormPercent: number;
    lossByWorkerWholeRun: WorkerLoss[];
    lossByWorkerAfterStorm: WorkerLoss[];
    serverHealthProbeMs: Distribution;
    harnessMainThreadBusyPercent: number;
    lessonStatePushesReceived: number;
    udpDrops: {
      sinks: number;
      webRtc: number;
      plainAndPipe: number;
      webRtcAfterStorm: number;
      plainAndPipeAfterStorm: number;
    };
    mediaResets: number;
    reconsumed: number;
    followErrors: number;
    host: {
      steady: Phase;
      storm: Phase;
      after: Phase;
      steadyMaxWindowKbit: number;
      stormMaxWindowKbit: number;
      burstRatio: number;
      burstGoalMet: boolean;
      /** The teacher's bandwidth estimate fell below half of what it was before: the ratio says little. */
      throttled: boolean;
      /** Seconds from the start of the steady state. */
      stormFromSecond: number;
      stormToSecond: number;
      blocksKbit: { t: number; kbit: number }[];
    };
    canariesDuringStorm: CanaryPhase[];
    canariesAfter: CanaryPhase[];
    cpuDuringStorm: CpuReport;
    workersCpuDuringStorm: number;
  };
  serverLog: LogLine[];
  hostPageProblems: HostPage['problems'];
  hostSamples: unknown[];
}

export function renderJoinStorm(json: JoinStormResult): string {
  const { parameters: p, machine: m, result: r } = json;
  const { steady, storm, after } = r.host;
  const yes = (b: boolean): string => (b ? 'yes' : '**no**');
  const g = r.cpuDuringStorm.groups;
  const plural = p.canaries === 1 ? '' : 's';
  return [
    `# Join storm: ${p.classrooms} classrooms join within ${p.stormSeconds} s`,
    '',
    `The host teacher's console (real Chromium, fake camera ${steady.picture} + microphone) is live; ${p.canaries} real Chromium classroom page${plural} already watching.`,
    `Then ${p.classrooms} simulated classrooms join, start times spread evenly over ${p.stormSeconds} s, each with its own Socket.IO connection and join token, receiving the host through the SFU with SRTP and Chromium's receive capabilities (see fanout.md). Every joiner needs a key frame; the SFU lets at most one key frame request reach the teacher per ${p.keyFrameRequestDelayMs} ms.`,
    '',
    `- goals: ${json.goals.allReceive}; ${json.goals.burst}`,
    `- ${json.date}, commit ${json.commit}, \`${json.command}\` (BENCH_CLASSROOMS=${p.classrooms}, BENCH_STORM_SECONDS=${p.stormSeconds}; the host's camera ${p.hostLayers === 1 ? 'as one layer, BENCH_HOST_LAYERS=1' : 'in three simulcast layers'})`,
    `- machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB RAM, Node ${m.node}, Chromium ${m.chromium}; server (${workers(p)}), Chromium and this harness all on this machine; load average at start ${m.loadAverageAtStart}`,
    '',
    '## Answer',
    '',
    `- every classroom receives: ${yes(r.allReceive)} — ${r.receiving} of ${p.classrooms} got video and audio (${r.failedJoins} joins failed); join → first video packet p50 ${r.joinToFirstVideoMs.p50} ms, p95 ${r.joinToFirstVideoMs.p95} ms, max ${r.joinToFirstVideoMs.max} ms`,
    `- teacher's uplink during the storm: ${yes(r.host.burstGoalMet)} — busiest ${p.burstWindowSeconds} s ${r.host.stormMaxWindowKbit} kbit/s vs steady-state mean ${steady.kbitPerSecond} kbit/s = **${r.host.burstRatio}×** (goal ≤ ${GOAL_BURST_RATIO}×; busiest ${p.burstWindowSeconds} s of the steady state itself: ${r.host.steadyMaxWindowKbit} kbit/s)`,
    r.host.throttled
      ? `- **but the teacher was throttled**: the host browser's bandwidth estimate towards the SFU fell from ${steady.estimateKbit.mean} kbit/s before the storm to ${Math.min(storm.estimateKbit.min, after.estimateKbit.min)} kbit/s, the picture from ${steady.picture} to ${after.picture} (encoder limited by: ${[...new Set([...storm.limitedBy, ...after.limitedBy])].join(', ')}). So the low ratio does not mean the key frames were absorbed: the teacher's picture got worse instead, and stayed worse after the storm.`
      : null,
    '',
    '## The teacher’s uplink',
    '',
    '| phase | seconds | kbit/s sent | bandwidth estimate kbit/s, mean (min) | picture at the end | encoder limited by | key frames encoded | key frame requests (PLI / FIR) received | frames encoded |',
    '|---|---|---|---|---|---|---|---|---|',
    ...(
      [
        ['steady state before', steady],
        ['storm', storm],
        ['after', after],
      ] as const
    ).map(
      ([name, x]) =>
        `| ${name} | ${x.seconds} | ${x.kbitPerSecond} | ${x.estimateKbit.mean} (${x.estimateKbit.min}) | ${x.picture} | ${x.limitedBy.join(', ')} | ${x.keyFramesEncoded} | ${x.pliReceived} / ${x.firReceived} | ${x.framesEncoded} |`,
    ),
    '',
    `Teacher's kbit/s in consecutive ${p.burstWindowSeconds}-s blocks (seconds from the start of the steady state; the storm runs from ${r.host.stormFromSecond} s to ${r.host.stormToSecond} s): ${r.host.blocksKbit.map((b) => `${b.t}: ${b.kbit}`).join(', ')}.`,
    '',
    '## The classrooms',
    '',
    '| | p50 | p95 | max |',
    '|---|---|---|---|',
    `| join → consumers resumed (signalling), ms | ${r.joinToResumedMs.p50} | ${r.joinToResumedMs.p95} | ${r.joinToResumedMs.max} |`,
    `| join → first video packet (key frame), ms | ${r.joinToFirstVideoMs.p50} | ${r.joinToFirstVideoMs.p95} | ${r.joinToFirstVideoMs.max} |`,
    `| join → first audio packet, ms | ${r.joinToFirstAudioMs.p50} | ${r.joinToFirstAudioMs.p95} | ${r.joinToFirstAudioMs.max} |`,
    `| per-classroom loss from its first packet to the end, % | ${r.lossWholeRun.p50} | ${r.lossWholeRun.p95} | ${r.lossWholeRun.max} |`,
    `| per-classroom loss in the ${p.afterSeconds} s after the storm, % | ${r.lossAfterStorm.p50} | ${r.lossAfterStorm.p95} | ${r.lossAfterStorm.max} |`,
    `| server answering GET /healthz during the storm (its event loop), ms | ${r.serverHealthProbeMs.p50} | ${r.serverHealthProbeMs.p95} | ${r.serverHealthProbeMs.max} |`,
    '',
    `${r.videoLaterThanDeadline} classrooms got their first video later than ${p.firstPacketDeadlineSeconds} s after joining. All joins had finished ${r.joinsFinishedSecondsAfterStormStart} s after the storm began.`,
    `The classrooms received ${r.lessonStatePushesReceived} \`lesson:state\` pushes in all (the server sends one to everybody on every join); this harness's main thread (all Socket.IO clients) was busy ${r.harnessMainThreadBusyPercent} % of the storm.`,
    `UDP drops from the storm's start to the end: sinks (harness side) ${r.udpDrops.sinks}, worker WebRTC ingress ${r.udpDrops.webRtc} (${r.udpDrops.webRtcAfterStorm} of them after the storm), plain and pipe transports ${r.udpDrops.plainAndPipe} (${r.udpDrops.plainAndPipeAfterStorm} after).`,
    `Loss after the storm: video ${r.videoLossAfterStormPercent} %, audio ${r.audioLossAfterStormPercent} %; by worker: ${describeLossByWorker(r.lossByWorkerAfterStorm)}. Over the whole run by worker: ${describeLossByWorker(r.lossByWorkerWholeRun)}.`,
    `Media resets: ${r.mediaResets}; classrooms that re-consumed a republished host: ${r.reconsumed} (failed to: ${r.followErrors}).`,
    `Canary page${plural} during the storm: ${r.canariesDuringStorm.map((c) => `${c.fps} fps decoded, ${c.videoPacketsLost} video packets lost, ${c.freezes} freezes`).join('; ')}; after: ${r.canariesAfter.map((c) => `${c.fps} fps, ${c.videoPacketsLost} lost, ${c.freezes} freezes`).join('; ')}.`,
    '',
    ...logSection(json.serverLog),
    hostProblemsLine(json.hostPageProblems),
    '',
    '## What limits it',
    '',
    `CPU during the storm (% of one core, ${m.cores} cores = ${m.cores * 100} %): media workers ${r.workersCpuDuringStorm}, server ${g['server (node)']}, Chromium (host + canaries) ${g.chromium}, this harness ${g['harness (this process)']}, other processes on the machine ${r.cpuDuringStorm.othersTotal} (${r.cpuDuringStorm.others.map((o) => `${o.name} ${o.percent}`).join(', ') || 'none'}).`,
    'The joins are signalled by this harness on the same cores as the server, so join times include waiting for CPU; the teacher’s bitrate is what Chromium decided to send under that load (its encoder also adapts to CPU), measured in the page itself.',
    '',
  ]
    .filter((line) => line !== null)
    .join('\n');
}
