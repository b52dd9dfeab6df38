/**
 * The fan-out write-up's tables: every figure a measurement window has (one row each) and the per-step table
 * built from them, the cost of our layers against the bare router, and the bare router's own ramp.
 */
import { describeLossByWorker } from './delivery.ts';
import {
  GOAL_LAYERS_RATIO,
  GOAL_LOSS_PERCENT,
  meetsGoal,
  MIN_FORWARDED_SHARE,
  MIN_MARGINAL_CPU_PERCENT,
} from './fanoutResult.ts';
import type { FanoutParameters, FanoutPhase, FanoutWindow, LayersCost } from './fanoutResult.ts';
import { round } from './report.ts';

/** The answer about our layers: per step, both µs per packet and their ratio. */
export function renderLayersCost(
  costs: LayersCost[],
  product: FanoutPhase,
  bare: FanoutPhase,
): (string | null)[] {
  const judged = costs.filter((c) => c.goalMet !== null);
  const perClassroomPps = (s: FanoutWindow): number =>
    s.classrooms ? round(s.packetsPerSecond / s.classrooms) : 0;
  return [
    '## The cost of our layers',
    '',
    `The same steps against a bare mediasoup router in the same run (after the server's classrooms had left): the same worker binary and layout (${workersSentence(bare.workers, product.workers)}), fed the same host stream (relayed as is by the server through one plain RTP consumer, which the server's workers pay for), the same SRTP plain-transport consumers with Chromium's capabilities into the same sinks — and no lesson, signaling or placement code.`,
    '',
    judged.length
      ? `- goal (product ≤ ${GOAL_LAYERS_RATIO}× bare, marginal µs per delivered packet) met per step: ${judged.map((c) => `${c.classrooms} ${c.goalMet ? 'yes' : '**no**'} (${c.ratio.marginal}×)`).join(', ')}`
      : `- **not judged**: at no step did the classrooms cost both sides ${MIN_MARGINAL_CPU_PERCENT} % of a core or more above the baseline (too little to tell from noise: run larger steps) with the bare router forwarding at least ${MIN_FORWARDED_SHARE * 100} % of the host's video.`,
    judged.length && judged.length < costs.length
      ? `- not judged (under ${MIN_MARGINAL_CPU_PERCENT} % of a core above the baseline on one side, or the bare router forwarded under ${MIN_FORWARDED_SHARE * 100} % of the host's video): ${costs
          .filter((c) => c.goalMet === null)
          .map((c) => `${c.classrooms} (${c.ratio.marginal}×)`)
          .join(', ')}`
      : null,
    `- the same worker binary on both sides: ${product.workerBinary !== null && product.workerBinary === bare.workerBinary ? `yes (${product.workerBinary})` : `**no** or unknown (server: ${product.workerBinary}; bare: ${bare.workerBinary})`}`,
    '',
    `| | ${costs.map((c) => `${c.classrooms} classrooms`).join(' | ')} |`,
    `|---|${costs.map(() => '---').join('|')}|`,
    `| product: worker µs per delivered packet (gross / marginal) | ${costs.map((c) => `${c.productMicrosPerPacket.gross} / ${c.productMicrosPerPacket.marginal}`).join(' | ')} |`,
    `| bare router: worker µs per delivered packet (gross / marginal) | ${costs.map((c) => `${c.bareMicrosPerPacket.gross} / ${c.bareMicrosPerPacket.marginal}`).join(' | ')} |`,
    `| **product ÷ bare** (gross / marginal) | ${costs.map((c) => `${c.ratio.gross}× / **${c.ratio.marginal}×**`).join(' | ')} |`,
    `| packets/s per classroom: product / bare | ${costs.map((_, i) => `${perClassroomPps(product.steps[i]!)} / ${perClassroomPps(bare.steps[i]!)}`).join(' | ')} |`,
    `| bare router: share of the host's video packets forwarded to each classroom (p50) | ${costs.map((c) => c.bareForwardedShare).join(' | ')} |`,
    `| workers CPU %: product / bare | ${costs.map((_, i) => `${product.steps[i]!.workerCpuPercent} / ${bare.steps[i]!.workerCpuPercent}`).join(' | ')} |`,
    '',
    `Gross: all the measured workers' CPU over the packets the classrooms received. Marginal: minus the same workers' CPU without simulated classrooms (product: host and canaries, ${product.baseline.workerCpuPercent} % of a core; bare: the relayed host only, ${bare.baseline.workerCpuPercent} %), which is the fan-out's own cost. The bare router forwards the one stream the server's classrooms receive; a difference between the two is work our code makes the workers do per packet (consumer and transport options, observers, stats polled), or noise: on this shared machine repeat the run before trusting a ratio within a few percent of the goal.`,
    '',
  ];
}

/** One row of a per-step table: its label and its figure for a step. */
type Figure = readonly [label: string, value: (s: FanoutWindow) => string | number];

const others = (s: FanoutWindow): string =>
  s.cpu.others.length ? s.cpu.others.map((x) => `${x.name} ${x.percent} %`).join(', ') : 'none';

/** Every figure a step has, in table order; each table picks its rows from here. */
const FIGURES = {
  loss: ['per-classroom loss: mean / p95 / max %', (s) => `${s.loss.mean} / ${s.loss.p95} / ${s.loss.max}`],
  commonLoss: ['of which lost by every classroom alike (upstream: host → SFU) %', (s) => s.loss.common],
  underGoal: [`classrooms under ${GOAL_LOSS_PERCENT} % loss`, (s) => `${s.loss.underGoalShare} %`],
  notReceiving: ['classrooms not receiving', (s) => s.loss.notReceiving],
  kindLoss: ['video / audio loss overall %', (s) => `${s.videoLossPercent} / ${s.audioLossPercent}`],
  duplicates: ['media packets that arrived twice (same sequence number) %', (s) => s.duplicatePercent],
  goal: ['goal met', (s) => (meetsGoal(s) ? 'yes' : '**no**')],
  firstVideo: [
    'join → first video packet p50 / p95 ms (this step’s joiners)',
    (s) => `${s.joinToFirstVideoMs?.p50} / ${s.joinToFirstVideoMs?.p95}`,
  ],
  resumed: [
    'join → consumers resumed p50 / p95 ms',
    (s) => `${s.joinToResumedMs?.p50} / ${s.joinToResumedMs?.p95}`,
  ],
  failedJoins: ['failed joins', (s) => s.failedJoins ?? 0],
  packets: [
    'packets/s delivered (all) / media only',
    (s) => `${s.packetsPerSecond} / ${s.mediaPacketsPerSecond}`,
  ],
  mbit: ['Mbit/s per classroom (SRTP, with headers)', (s) => s.mbitPerSecondPerClassroom],
  videoRate: [
    'video packets/s per classroom: p50 (min … max)',
    (s) => {
      const v = s.videoPacketsPerSecondPerClassroom;
      return `${v.p50} (${v.min} … ${v.max})`;
    },
  ],
  workersCpu: [
    'mediasoup workers CPU, % of one core (each)',
    (s) => `${s.workerCpuPercent} (${eachWorker(s)})`,
  ],
  cpuPerClassroom: ['worker CPU per classroom, % of one core', (s) => s.workerCpuPerClassroom],
  micros: [
    'worker µs per delivered packet (gross / marginal)',
    (s) => `${s.workerMicrosPerPacket} / ${s.workerMicrosPerPacketMarginal}`,
  ],
  serverCpu: ['server node process CPU %', (s) => s.cpu.groups['server (node)'] ?? 0],
  serverWorkersCpu: [
    "server's own workers CPU % (relaying the host, the canaries)",
    (s) => s.cpu.groups["server's workers (not measured)"] ?? 0,
  ],
  chromiumCpu: ['Chromium (host + canaries) CPU %', (s) => s.cpu.groups.chromium ?? 0],
  harnessCpu: [
    'harness CPU % (of which sink threads)',
    (s) => `${s.cpu.groups['harness (this process)']} (${s.sinkCpuPercent})`,
  ],
  othersCpu: ['other processes on the machine CPU %', (s) => `${s.cpu.othersTotal} (${others(s)})`],
  load: ['load average (1 min)', (s) => s.loadAverage],
  serverRss: [
    'server RSS MiB (per classroom KiB)',
    (s) => `${s.memoryMiB.server} (${perClassroom(s.memoryMiB.serverPerClassroomKiB)})`,
  ],
  workersRss: [
    'workers RSS MiB (per classroom KiB)',
    (s) => `${s.memoryMiB.workers} (${perClassroom(s.memoryMiB.workersPerClassroomKiB)})`,
  ],
  udpDrops: [
    'UDP drops: sinks (harness) / worker WebRTC ingress / plain + pipe',
    (s) => [s.sinkUdpDrops, s.serverUdpDrops.webRtc, s.serverUdpDrops.plainAndPipe].join(' / '),
  ],
  reconsumed: [
    'classrooms that re-consumed a republished host / failed to',
    (s) => `${s.reconsumed} / ${s.followErrors}`,
  ],
  canaries: [
    'canary pages: fps decoded, video packets lost',
    (s) => s.canaries.map((c) => `${c.fps} fps, ${c.videoPacketsLost} lost`).join('; '),
  ],
  host: [
    'host sends kbit/s (its bandwidth estimate), picture, encoder limited by',
    (s) =>
      `${s.host.kbitPerSecond} (${s.host.estimateKbit}), ${s.host.width}×${s.host.height} ${s.host.fps} fps, ${s.host.limitedBy}`,
  ],
  peers: [
    'workers: peers / consumers',
    (s) => s.mediaReport.workers.map((w) => `${w.peers} / ${w.consumers}`).join('; '),
  ],
  lossByWorker: ['loss by worker', (s) => describeLossByWorker(s.lossByWorker)],
  relay: [
    'host packets/s into the bare router: video / audio (relay re-consumed, media resets)',
    (s) =>
      s.relay
        ? `${s.relay.videoPacketsPerSecond} / ${s.relay.audioPacketsPerSecond} (${s.relay.reconsumed}, ${s.relay.mediaResets})`
        : '–',
  ],
} satisfies Record<string, Figure>;

export const FIGURE_NAMES = Object.keys(FIGURES) as (keyof typeof FIGURES)[];

/** A markdown table: a column per step, a row per figure named. */
export function stepTable(steps: FanoutWindow[], figures: (keyof typeof FIGURES)[]): string[] {
  return [
    `| | ${steps.map((s) => `${s.classrooms} classrooms`).join(' | ')} |`,
    `|---|${steps.map(() => '---').join('|')}|`,
    ...figures.map((name) => {
      const [label, value]: Figure = FIGURES[name];
      return `| ${label} | ${steps.map((s) => value(s)).join(' | ')} |`;
    }),
  ];
}

/** The bare router's ramp, figure by figure. */
export function renderBare(bare: FanoutPhase, p: FanoutParameters): string[] {
  return [
    '## The bare router, per step',
    '',
    `Baseline (the relayed host only, ${bare.baseline.seconds} s): workers ${bare.baseline.workerCpuPercent} % of a core (${workersSentence(bare.workers, p.mediaWorkers + (p.ingestWorker ? 1 : 0))}).`,
    '',
    ...stepTable(bare.steps, [
      'loss',
      'notReceiving',
      'goal',
      'firstVideo',
      'failedJoins',
      'packets',
      'mbit',
      'workersCpu',
      'cpuPerClassroom',
      'micros',
      'workersRss',
      'udpDrops',
      'serverCpu',
      'serverWorkersCpu',
      'chromiumCpu',
      'harnessCpu',
      'othersCpu',
      'host',
      'peers',
      'lossByWorker',
      'relay',
    ]),
    '',
  ];
}

const workersSentence = (measured: number, of: number): string =>
  `${measured} worker${measured === 1 ? '' : 's'} measured${measured === of ? '' : ` of ${of}`}`;

export const eachWorker = (s: FanoutWindow): string =>
  Object.entries(s.cpu.groups)
    .filter(([k]) => k.startsWith('mediasoup worker'))
    .map(([, v]) => v)
    .join(' + ');

/** A per-classroom memory figure; below the start (the garbage collector gave memory back) it means nothing. */
const perClassroom = (kib: number | null): string => (kib !== null && kib > 0 ? String(kib) : '–');
