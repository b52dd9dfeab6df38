/** `npm run chaos`'s result: its shape (the JSON) and its markdown. */
import type { Dark } from './darkPeriods.ts';
import type { LogLine } from './lessonServer.ts';
import type { Machine } from './report.ts';
import { logSection, round } from './report.ts';
import { describeWebBuild } from './webBuild.ts';

export const GOAL_DARK_MS = 5_000;
export const GOAL_NODE_LOSS_MS = 10_000;

/** One page through one scenario. */
export interface PageOutcome {
  /** "classroom 1", "host". */
  page: string;
  /** Where it was: node, worker. */
  where: string;
  /** On the part that was broken (its worker, its node, its link). */
  hit: boolean;
  video: Dark;
  audio: Dark;
  /** Ms from the end of the event (link back, node started again) to the first new frame; null: none. */
  recoveryMs?: number | null;
  /** What the page showed (a classroom's status) from the event on: "live", "reconnecting +0.4 s", … */
  shown: string[];
  /** Anything else about it. */
  notes: string[];
  /** Its WebSocket, recovery requests and console from the event on ("WebSocket closed +1.1 s", …). */
  timeline: string[];
}

export interface ScenarioResult {
  key: string;
  title: string;
  /** How it was broken, as done. */
  how: string;
  /** Epoch ms of the event and the end of the observation. */
  at: number;
  observedMs: number;
  pages: PageOutcome[];
  /** What else was seen: replaced workers, the host's view, a node's registry, signaling. */
  facts: string[];
  goal: string;
  /** The figure the goal is about, ms (longest dark of the classrooms it is about; null: not measured). */
  figureMs: number | null;
  /** Not back by the end of the observation: the figure is a lower bound. */
  figureOpen: boolean;
  met: boolean | null;
  /** What the answer says of the pages hit, when the longest dark is not the point (a cut, a restart). */
  hitSummary?: string;
  error?: string;
}

export interface ChaosResult {
  startedAt: string;
  commit: string;
  /** Top-level folders with uncommitted changes (tracked or new) when the run started, the benchmarks aside. */
  dirty: string[];
  command: string;
  machine: Machine;
  webBuild: {
    builtAt: string | null;
    srcNewer: string[];
    /** Whether the built pages' code sends these requests (found in web/build/client). */
    sends: Record<string, boolean>;
  };
  setups: string[];
  scenarios: ScenarioResult[];
  logs: { name: string; lines: LogLine[] }[];
  leftovers: string[];
  durationSeconds: number;
}

const s = (ms: number | null): string => (ms === null ? '–' : `${round(ms / 1000, 1)} s`);
const signed = (ms: number | null): string =>
  ms === null ? '–' : `${ms >= 0 ? '+' : ''}${round(ms / 1000, 1)} s`;

/** "1.4 s (+0.1 → +1.5 s)", or "≥ 30 s, not back" for a page still dark at the end. */
export function darkText(d: Dark): string {
  if (d.toMs === null) return `≥ ${s(d.longestMs)} (from ${signed(d.fromMs)}), not back`;
  return `${s(d.longestMs)} (${signed(d.fromMs)} → ${signed(d.toMs)})`;
}

function figure(r: ScenarioResult): string {
  if (r.figureMs === null) return '–';
  return r.figureOpen ? `≥ ${s(r.figureMs)}, not back` : s(r.figureMs);
}

function longest(pages: PageOutcome[]): string {
  if (pages.length === 0) return '–';
  const worst = pages.reduce((a, b) => (b.video.longestMs > a.video.longestMs ? b : a));
  const stall = worst.notes.find((n) => n.startsWith("the host's camera stalled"));
  return `${darkText(worst.video)} (${worst.page})${stall ? `, when ${stall}` : ''}`;
}

export function renderChaos(r: ChaosResult): string {
  const out: string[] = [
    '# Chaos: what breaks, and how long classrooms are dark',
    '',
    "A real lesson — the host teacher's console and classroom pages in real Chromium (fake camera and microphone), real server processes, real mediasoup workers, a real Redis — broken one thing at a time. Every page samples its own getStats() every 100 ms (video frames decoded, audio packets received, over every peer connection it made); **dark** is the longest time a page decoded no new video frame around the event (from the last frame before to the first after), read from those samples (resolution ≈ 0.1 s; the quiet-time figure in each table shows the noise).",
    '',
    `- goals (no test thresholds): every dark period < ${GOAL_DARK_MS / 1000} s; the classrooms of a lost node back within ${GOAL_NODE_LOSS_MS / 1000} s`,
    `- ${r.startedAt}, commit ${r.commit}${r.dirty.length ? ` (uncommitted changes in ${r.dirty.join(', ')})` : ''}, \`${r.command}\`, ${round(r.durationSeconds, 0)} s in all`,
    `- pages: ${describeWebBuild(r.webBuild)}`,
    `- machine: ${r.machine.cores} × ${r.machine.cpu ?? '?'}, ${r.machine.memoryGiB} GiB RAM, Node ${r.machine.node}, Chromium ${r.machine.chromium ?? '?'}; servers, Redis, Chromium and this harness all on this machine; load average at start ${r.machine.loadAverageAtStart}`,
    ...r.setups.map((line) => `- ${line}`),
    '',
    '## Answer',
    '',
    '| what broke | the classrooms it hit: longest dark (times from the event) | the other classrooms: longest dark | goal | measured | met |',
    '|---|---|---|---|---|---|',
    ...r.scenarios.map((sc) => {
      const hit = sc.pages.filter((p) => p.hit);
      const rest = sc.pages.filter((p) => !p.hit);
      const met = sc.error
        ? `error: ${sc.error.split('\n')[0]}`
        : sc.met === null
          ? '–'
          : sc.met
            ? 'yes'
            : '**no**';
      return `| ${sc.title} | ${sc.hitSummary ?? longest(hit)} | ${rest.length ? longest(rest) : 'none'} | ${sc.goal} | ${figure(sc)} | ${met} |`;
    }),
    '',
  ];
  for (const sc of r.scenarios) {
    out.push(`## ${sc.title}`, '', sc.how, '');
    if (sc.error)
      out.push(`**The scenario failed:** \`${sc.error.replaceAll('\n', ' ').slice(0, 600)}\``, '');
    if (sc.pages.length > 0) {
      out.push(
        `Observed for ${s(sc.observedMs)} after the event; times are from the event.`,
        '',
        '| page | where | hit | video dark (last frame → next) | gaps ≥ 0.3 s (total) | audio gap | quiet-time noise | recovery | what the page showed |',
        '|---|---|---|---|---|---|---|---|---|',
        ...sc.pages.map(
          (p) =>
            `| ${p.page} | ${p.where} | ${p.hit ? 'yes' : 'no'} | ${darkText(p.video)} | ${p.video.gaps} (${s(p.video.totalMs)}) | ${darkText(p.audio)} | ${s(p.video.baselineMs)} | ${p.recoveryMs === undefined ? '' : s(p.recoveryMs)} | ${p.shown.join(' → ').replaceAll('|', '/')}${p.notes.length ? `; ${p.notes.join('; ')}` : ''} |`,
        ),
        '',
      );
    }
    if (sc.facts.length) out.push(...sc.facts.map((f) => `- ${f}`), '');
    const timelines = sc.pages.filter((p) => p.hit && p.timeline.length > 0);
    if (timelines.length) {
      out.push(
        'What the pages hit did (their WebSocket, the recovery requests they sent →, the pushes they got ←, their console), from the event:',
        '',
        ...timelines.map((p) => `- ${p.page}: ${p.timeline.join('; ').replaceAll('|', '/')}`),
        '',
      );
    }
  }
  out.push('## Server logs', '');
  for (const log of r.logs) {
    const section = logSection(log.lines);
    out.push(`### ${log.name}`, '', ...section.slice(2));
  }
  out.push(
    '## Clean-up',
    '',
    r.leftovers.length === 0
      ? 'Every process this run started (servers, their mediasoup workers, Redis, Chromium) was gone at the end.'
      : `Still running at the end and killed now: ${r.leftovers.join(', ')}.`,
    '',
    '## Caveats',
    '',
    '- Everything shares one machine with 2 cores: the servers, their workers, Redis, Chromium (one host encoding 720p and the classroom pages decoding) and this harness. Times include waiting for CPU; a busier machine (see the load average) stretches them.',
    '- Dark is measured from frames decoded (getStats) in the page, sampled every 100 ms: a gap under ≈ 0.2 s is within the noise; a page whose own timers stall (CPU) shows a longer gap than its viewers saw. It says nothing about picture quality after the gap.',
    '- One run, one event of each kind, a handful of pages: the figures show what happens and roughly how long, not a distribution. Scenarios on the same servers run one after another; each starts once every classroom decodes steadily again.',
    '- A page that is dark to the end of its observation has a lower bound ("≥ … not back").',
    '',
  );
  return out.join('\n');
}
