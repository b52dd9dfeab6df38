/**
 * `npm run bench:networks`: the result's shape, the goals (benchmark figures printed beside the measurements,
 * not test thresholds) and the markdown.
 */
import type { BarcodeCameraOptions, Link, LinkProfileName } from '@cloudschool/testkit/netlab';
import type { JoinSteps } from './joinTimeline.ts';
import type { LogLine } from './lessonServer.ts';
import type { VoicePath } from './voicePath.ts';
import type { SfuView } from './mediaTraceSummary.ts';
import type { HostSender } from './hostSender.ts';
import type { CpuReport } from './procStats.ts';
import type { Machine } from './report.ts';
import { distribution, logSection } from './report.ts';
import { describeWebBuild } from './webBuild.ts';
import { CLASSROOM_NICE } from './labBrowsers.ts';

export interface ProfileResult {
  profile: LinkProfileName;
  link: Link | null;
  /** The protocol of each of the page's connected peer connections at the end (absent in runs before 20). */
  routes?: string[];
  seconds: number;
  /** Decoded size at the end of the measurement. */
  width: number;
  height: number;
  /** Heights the picture had, as shares of the 100-ms samples in which a frame was decoded. */
  heights: { height: number; share: number }[];
  minHeight: number;
  fps: number;
  videoKbps: number;
  videoLossPercent: number;
  freezeCount: number;
  freezeSeconds: number;
  /** The longest time without a newly decoded frame (100-ms samples). */
  longestGapMs: number;
  audioConcealedPercent: number;
  audioLossPercent: number;
  jitterBufferMs: number;
  audioJitterBufferMs: number;
  /** Glass-to-glass: the age of the picture on screen (barcode), 10 reads a second. */
  delay: {
    p50: number | null;
    p95: number | null;
    max: number | null;
    read: number;
    reads: number;
    /** flaky: from before the outage and from 5 s after the link's return. */
    outsideOutage: { p50: number | null; p95: number | null } | null;
  };
  /** flaky: the figures before its outage and from 5 s after the link's return (the recovery is `recovery`). */
  outsideOutage: { fps: number; longestGapMs: number; audioConcealedPercent: number } | null;
  /** flaky: the outage (epoch ms) and, from the link's return, the first decoded frame, steady decoding, a picture drawn after the return. */
  recovery: {
    cutAt: number;
    backAt: number;
    firstFrameMs: number | null;
    steadyMs: number | null;
    freshPictureMs: number | null;
    /** The height decoded before the outage, and when it was decoded again after the return. */
    beforeHeight: number;
    sameHeightMs: number | null;
  } | null;
  /** At the end: the classroom's own indicator and hint, and the host's tile for it. */
  shown: { own: string | null; hint: string | null; tile: string | null };
  /** What the SFU forwarded to it and on which estimate (the server-side trace). */
  sfu: SfuView | null;
  /** The host's voice as this classroom received it (support/voicePath.ts). */
  voice: VoicePath | null;
}

/** `adaptive`: the product (3 simulcast layers); `single`: adaptation off (`?layers=1`). */
export type HalfMode = 'adaptive' | 'single';

export interface HalfResult {
  mode: HalfMode;
  layers: 1 | 3;
  measuredAt: string;
  seconds: number;
  loadAverage: number;
  /** The 1-minute load average every 5 s of the measurement. */
  loadAverages: number[];
  cpu: CpuReport;
  host: {
    width: number;
    height: number;
    fps: number;
    videoKbps: number;
    qualityLimitationReason: string;
    level: string | null;
    layers: HostSender;
    /** Its voice as sent: the Opus it was told to send with, the loss the SFU reported to it. */
    voice: VoicePath | null;
  };
  profiles: ProfileResult[];
  problems: { name: string; count: number; first: string[] }[];
  serverLog: LogLine[];
}

export interface NetworksResult {
  benchmark: 'networks';
  startedAt: string;
  seconds: number;
  commit: string;
  command: string;
  machine: Machine;
  loadAverageAtEnd: number;
  /** The pages measured: when the UI was built, whether web/src changed since, whether they send these requests. */
  webBuild: { builtAt: string; srcNewer: string[]; sends: Record<string, boolean> };
  settings: {
    measureMs: number;
    warmUpMs: number;
    outageAtMs: number;
    outageMs: number;
    mediaWorkers: number;
    joins: number;
    /** The host camera's options, when not the lab's defaults. */
    camera: Partial<BarcodeCameraOptions>;
    /** Every page's microphone: a speaking voice (support/speech.ts) or Chromium's own beep. */
    microphone: 'speech' | 'beep';
    /** The host recorded each lesson from the start (NETWORKS_RECORD=1); absent in runs before the option. */
    recording?: boolean;
  };
  halves: HalfResult[];
  joins: JoinSteps[];
  goals?: Goal[];
}

export interface Goal {
  goal: string;
  measured: string;
  met: boolean | null;
}

/** Share of the decoded samples at this height or more. */
const shareAtLeast = (p: ProfileResult, height: number): number =>
  p.heights.filter((h) => h.height >= height).reduce((s, h) => s + h.share, 0);
const shareAtMost = (p: ProfileResult, height: number): number =>
  p.heights.filter((h) => h.height > 0 && h.height <= height).reduce((s, h) => s + h.share, 0);
const pct = (x: number): string => `${Math.round(100 * x)} %`;
const ms = (x: number | null): string =>
  x === null ? '–' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`;

/**
 * Seconds without a moving picture: the browser's freeze total, but at least the longest stretch without a new
 * frame — a picture that never decoded, or stopped, counts no freezes at all in getStats (freezes are between
 * decoded frames), and was still frozen all that time.
 */
const frozenSeconds = (p: ProfileResult): number =>
  Math.round(100 * Math.max(p.freezeSeconds, p.longestGapMs / 1000)) / 100;

/**
 * "At least as good as adaptation off": not worse on any of frame rate (by more than 10 %), time frozen
 * (frozenSeconds, by more than 0.5 s), audio concealment (by more than 0.5 percentage point) and
 * glass-to-glass p95 (by more than 10 % + 100 ms). Resolution is not compared: lowering it is what adaptation
 * does. A classroom with an outage (flaky) is compared outside it (longest time without a frame for time
 * frozen: getStats' freeze total cannot be split) and by its recovery (first frame and steady decoding after
 * the link's return, by more than 0.5 s): both halves lose the same 10 s of link, and a page with a deeper
 * jitter buffer keeps showing buffered frames into the cut, which counted as less frozen.
 */
export function asGoodAs(a: ProfileResult, off: ProfileResult): { ok: boolean; worse: string[] } {
  const worse: string[] = [];
  const apart = a.outsideOutage && off.outsideOutage ? { a: a.outsideOutage, off: off.outsideOutage } : null;
  const fps = apart ? { a: apart.a.fps, off: apart.off.fps } : { a: a.fps, off: off.fps };
  if (fps.a < 0.9 * fps.off) worse.push(`fps ${fps.a} < ${fps.off}`);
  const frozen = apart
    ? { a: apart.a.longestGapMs / 1000, off: apart.off.longestGapMs / 1000 }
    : { a: frozenSeconds(a), off: frozenSeconds(off) };
  if (frozen.a > frozen.off + 0.5) worse.push(`frozen ${frozen.a} s > ${frozen.off} s`);
  const concealed = apart
    ? { a: apart.a.audioConcealedPercent, off: apart.off.audioConcealedPercent }
    : { a: a.audioConcealedPercent, off: off.audioConcealedPercent };
  if (concealed.a > concealed.off + 0.5) worse.push(`concealed ${concealed.a} % > ${concealed.off} %`);
  const p95 = apart
    ? { a: a.delay.outsideOutage?.p95 ?? null, off: off.delay.outsideOutage?.p95 ?? null }
    : { a: a.delay.p95, off: off.delay.p95 };
  if (p95.a !== null && p95.off !== null && p95.a > 1.1 * p95.off + 100)
    worse.push(`p95 ${ms(p95.a)} > ${ms(p95.off)}`);
  if (p95.a === null && p95.off !== null) worse.push('no barcode read');
  if (a.recovery && off.recovery) {
    const steps = { firstFrameMs: 'first frame', steadyMs: 'steady decoding' } as const;
    for (const [step, name] of Object.entries(steps) as [keyof typeof steps, string][]) {
      const [x, y] = [a.recovery[step], off.recovery[step]];
      if (y !== null && (x === null || x > y + 500))
        worse.push(`${name} after the return ${ms(x)} > ${ms(y)}`);
    }
  }
  return { ok: worse.length === 0, worse };
}

export function joinSummary(joins: JoinSteps[]) {
  const done = joins.filter((j) => j.firstFrame !== null);
  const of = (pick: (j: JoinSteps) => number | null) => {
    const values = done.map(pick).filter((x): x is number => x !== null);
    return values.length ? distribution(values, 0) : null;
  };
  return {
    joins: joins.length,
    withFrame: done.length,
    firstFrame: of((j) => j.firstFrame),
    fromNavigation: of((j) => (j.firstFrame === null ? null : j.loadMs + j.firstFrame)),
    steps: {
      joinAnswered: of((j) => j.joinAnswered),
      transportAsked: of((j) => j.transportAsked),
      consumeAnswered: of((j) => j.consumeAnswered),
      resumeAnswered: of((j) => j.resumeAnswered),
      connected: of((j) => j.connected),
      firstVideoPacket: of((j) => j.firstVideoPacket),
      firstFrame: of((j) => j.firstFrame),
    },
    loadMs: of((j) => j.loadMs),
    documentLoaded: of((j) => j.documentLoaded),
    socketMade: of((j) => j.socketMade),
    socketOpen: of((j) => j.socketOpen),
  };
}

/** A half's lesson, by its classrooms' links. */
const lessonOf = (h: HalfResult): string => h.profiles.map((p) => p.profile).join(', ');

/** How far above its link's rate a page's received video may be (bursts, rounding) before it did not have that link. */
const LINK_HELD_MARGIN = 1.1;

/**
 * Why a page's figures are void, or null: a page that received more video than its link carries did not have
 * that link, and comparing against it would measure the lab, not the link. Seen in runs 18–20: a page without
 * adaptation received 1743–2473 kbit/s of 720p on its 300 or 600 kbit/s link; in run 20 its media had moved to a
 * TCP route, which DevTools' emulation appears not to shape.
 */
export function linkNotHeld(p: ProfileResult): string | null {
  if (!p.link || p.videoKbps <= p.link.kbps * LINK_HELD_MARGIN) return null;
  const routes = p.routes ? `; its connections at the end: ${p.routes.join(', ') || 'none'}` : '';
  return `void: ${p.profile} received ${p.videoKbps} kbit/s of video on a ${p.link.kbps} kbit/s link (its emulation did not hold${routes})`;
}

/** The goal as measured on `pages`, or void (met: null) if one of them did not have its link. */
function onLinks(pages: readonly ProfileResult[], goal: Goal): Goal {
  const broken = pages.map(linkNotHeld).find((why) => why !== null);
  return broken ? { goal: goal.goal, measured: broken, met: null } : goal;
}

export function goals(r: NetworksResult): Goal[] {
  const on = r.halves.filter((h) => h.mode === 'adaptive');
  const offOf = (h: HalfResult): HalfResult | undefined =>
    r.halves.find((x) => x.mode === 'single' && lessonOf(x) === lessonOf(h));
  const p = (name: LinkProfileName) => on.flatMap((h) => h.profiles).find((x) => x.profile === name);
  const out: Goal[] = [];
  const rural = p('rural');
  if (rural) {
    out.push(
      ...[
        {
          goal: 'rural: ≥ 15 fps at ≥ 360p (≥ 90 % of the time)',
          measured: `${rural.fps} fps, ≥ 360p ${pct(shareAtLeast(rural, 360))} of the time`,
          met: rural.fps >= 15 && shareAtLeast(rural, 360) >= 0.9,
        },
        {
          goal: 'rural: audio concealment < 2 %',
          measured: `${rural.audioConcealedPercent} %`,
          met: rural.audioConcealedPercent < 2,
        },
        {
          goal: 'rural: no freeze over 1 s',
          measured: `longest without a new frame ${ms(rural.longestGapMs)}`,
          met: rural.longestGapMs <= 1000,
        },
      ].map((goal) => onLinks([rural], goal)),
    );
  }
  const bad = p('bad');
  if (bad) {
    out.push(
      ...[
        {
          goal: 'bad: audio concealment < 3 %',
          measured: `${bad.audioConcealedPercent} %`,
          met: bad.audioConcealedPercent < 3,
        },
        {
          goal: 'bad: video ≥ 10 fps at the lowest layer',
          measured: `${bad.fps} fps, ≤ 180p ${pct(shareAtMost(bad, 180))} of the time`,
          met: bad.fps >= 10 && shareAtMost(bad, 180) >= 0.9,
        },
      ].map((goal) => onLinks([bad], goal)),
    );
  }
  const lan = p('lan');
  if (lan) {
    out.push({
      goal: 'a lan classroom in the same lesson keeps 720p throughout',
      measured: `720p in ${pct(shareAtLeast(lan, 720))} of the decoded samples, ${lan.fps} fps`,
      met: shareAtLeast(lan, 720) >= 0.999,
    });
  }
  const flaky = p('flaky');
  if (flaky?.recovery) {
    out.push({
      goal: 'flaky: frames decoding < 3 s after the link is back',
      measured: `first frame ${ms(flaky.recovery.firstFrameMs)} (steady ${ms(flaky.recovery.steadyMs)}, a picture drawn after the return shown ${ms(flaky.recovery.freshPictureMs)})`,
      met: flaky.recovery.firstFrameMs !== null && flaky.recovery.firstFrameMs < 3000,
    });
  }
  for (const h of on) {
    const off = offOf(h);
    for (const a of h.profiles) {
      const b = off?.profiles.find((x) => x.profile === a.profile);
      if (!b) continue;
      const c = asGoodAs(a, b);
      out.push(
        onLinks([a, b], {
          goal: `${a.profile}: at least as good as adaptation off`,
          measured: c.ok ? 'not worse on any' : `worse: ${c.worse.join('; ')}`,
          met: c.ok,
        }),
      );
    }
  }
  const j = joinSummary(r.joins);
  if (j.firstFrame) {
    out.push({
      goal: 'join → first frame p95 ≤ 1.2 s (lan, loopback)',
      measured: `p50 ${ms(j.firstFrame.p50)}, p95 ${ms(j.firstFrame.p95)} over ${j.withFrame} joins`,
      met: j.firstFrame.p95 <= 1200 && j.withFrame === j.joins,
    });
  }
  return out;
}

const yes = (met: boolean | null): string => (met === null ? '–' : met ? 'yes' : '**no**');

function profileTable(h: HalfResult): string[] {
  return [
    '| profile | link | received (end) | heights (share of decoded samples) | fps | kbit/s | freezes | frozen | longest without a frame | audio concealed | audio loss | glass-to-glass p50 / p95 | level (own / host tile, hint) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...h.profiles.map((p) => {
      const link = p.link
        ? `${p.link.kbps} kbit/s, ${p.link.lossPercent} %, ${p.link.latencyMs} ms`
        : p.profile === 'flaky'
          ? 'lan + 10 s outage'
          : 'lan';
      const heights = p.heights
        .slice(0, 3)
        .map((x) => `${x.height}p ${pct(x.share)}`)
        .join(', ');
      const delay = `${ms(p.delay.p50)} / ${ms(p.delay.p95)}${p.delay.outsideOutage ? ` (outside the outage ${ms(p.delay.outsideOutage.p50)} / ${ms(p.delay.outsideOutage.p95)})` : ''}`;
      return `| ${p.profile} | ${link} | ${p.width}×${p.height} | ${heights} | ${p.fps} | ${p.videoKbps} | ${p.freezeCount} | ${p.freezeSeconds} s | ${ms(p.longestGapMs)} | ${p.audioConcealedPercent} % | ${p.audioLossPercent} % | ${delay} | ${p.shown.own ?? '–'} / ${p.shown.tile ?? '–'}${p.shown.hint ? `, ${p.shown.hint}` : ''} |`;
    }),
  ];
}

const LAYER_NAMES = ['180p', '360p', '720p'];

const TITLES: Record<HalfMode, string> = {
  adaptive: 'Adaptation on (the product): 3 simulcast layers (≈ 180p / 360p / 720p, VP8 L1T3)',
  single: 'Adaptation off: `?layers=1`, one 720p encoding',
};

const WHY: Record<HalfMode, string> = {
  adaptive:
    "The server sends each classroom's main view with preferred layers spatial 2 / temporal 2 and priority 2; mediasoup's per-transport bandwidth estimate (transport-cc) picks the layers.",
  single:
    "One encoding of the browser's choosing: every classroom gets the same stream, whatever its link carries.",
};

function sfuTable(h: HalfResult): string[] {
  if (!h.profiles.some((p) => p.sfu)) return [];
  const spatial = (v: SfuView): string =>
    v.spatial
      .map((x) => `${x.layer < 0 ? 'none' : (LAYER_NAMES[x.layer] ?? x.layer)} ${pct(x.share)}`)
      .join(', ');
  const temporal = (v: SfuView): string =>
    v.temporal.map((x) => `${x.layer < 0 ? 'none' : `T${x.layer}`} ${pct(x.share)}`).join(', ');
  const scores = (v: SfuView): string =>
    v.scores.map((x) => `${x.score ?? 'none'} ${pct(x.share)}`).join(', ');
  return [
    "What the SFU forwarded to each classroom (the server-side trace: the consumer's layers; its score, from the page's receiver reports net of what retransmissions repaired; its transport's transport-cc estimate):",
    '',
    '| profile | spatial layer (share of time) | temporal layer | layer changes | score (share of time) | estimate: mean / lowest | wanted |',
    '|---|---|---|---|---|---|---|',
    ...h.profiles.map((p) =>
      p.sfu
        ? `| ${p.profile} | ${h.layers === 1 ? 'one encoding' : spatial(p.sfu)} | ${h.layers === 1 ? '–' : temporal(p.sfu)} | ${p.sfu.layerChanges} | ${scores(p.sfu)} | ${p.sfu.availableKbps ?? '–'} / ${p.sfu.minAvailableKbps ?? '–'} kbit/s | ${p.sfu.desiredKbps ?? '–'} kbit/s |`
        : `| ${p.profile} | – | – | – | – | – | – |`,
    ),
    '',
  ];
}

/** The host's voice: what its encoder was told and heard of losses, what each classroom made of it. */
function voiceLines(h: HalfResult): string[] {
  const v = h.host.voice;
  const lines = (l: string[]): string => l.map((x) => `\`${x}\``).join(', ') || '–';
  return [
    v
      ? `The host's voice (its getStats() every second): ${v.kbps} kbit/s of Opus payload, sent with ${lines(v.opusLines)}; the SFU's receiver reports told its encoder of ${v.reportedLossPercent ? `${v.reportedLossPercent.mean} % loss on average, ${v.reportedLossPercent.max} % at most (the consumers' worst)` : 'no loss (no report read)'}.`
      : "The host's voice: no audio sender read.",
    '',
    '| profile | audio packets received | lost | NACKs sent | packets carrying in-band FEC (LBRR) | concealed | Opus as received |',
    '|---|---|---|---|---|---|---|',
    ...h.profiles.map((p) =>
      p.voice
        ? `| ${p.profile} | ${p.voice.packets} | ${p.voice.lost} | ${p.voice.nacks} | ${p.voice.fecPackets} (${p.voice.packets ? Math.round((100 * p.voice.fecPackets) / p.voice.packets) : 0} %) | ${p.voice.concealedPercent ?? '–'} % | ${lines(p.voice.opusLines)} |`
        : `| ${p.profile} | – | – | – | – | – | – |`,
    ),
    '',
  ];
}

export function renderNetworks(r: NetworksResult): string {
  const g = goals(r);
  r.goals = g;
  const j = joinSummary(r.joins);
  const lines: string[] = [
    '# Networks: classrooms on real school networks',
    '',
    `${r.halves.length > 2 ? 'Lessons' : 'A lesson'} in real Chromium (Debian's): the host teacher's console broadcasting the network lab's barcode camera (1280 × 720, 30 fps, camera-like content) and classroom pages on named links (DevTools network emulation: testkit/src/linkProfiles.ts; it shapes WebRTC over UDP only, so the lab’s servers offer no TCP candidates, \`MEDIA_ICE_TCP=0\`) — ${[...new Set(r.halves.map(lessonOf))].join('; ')} — each lesson's pages measured together, then the same with adaptation off (the console's \`?layers=1\`: one 720p encoding), on a fresh server and lesson. Each classroom page samples its own getStats() (100 ms) and reads the barcode off its picture (10 a second).`,
    '',
    `- ${r.startedAt}, commit ${r.commit}, \`${r.command}\`, ${r.seconds} s in all`,
    `- pages: ${describeWebBuild(r.webBuild)}`,
    `- machine: ${r.machine.cores} × ${r.machine.cpu ?? '?'}, ${r.machine.memoryGiB} GiB RAM, Node ${r.machine.node}, Chromium ${r.machine.chromium ?? '?'}; server, Chromium and this harness on this machine; load average ${r.machine.loadAverageAtStart} at the start, ${r.loadAverageAtEnd} at the end (${r.halves.map((h) => `${h.mode} half of ${lessonOf(h)}: ${h.loadAverage}`).join(', ')})`,
    `- two browsers: the host's console in one, the classroom pages in the other at nice ${CLASSROOM_NICE} (in a lesson they are different computers; here pages decoding took the time of the host's encoder, whose frame rate every classroom's then followed: support/labBrowsers.ts)`,
    `- each half: warm-up ${r.settings.warmUpMs / 1000} s after every page shows a readable picture, then ${r.settings.measureMs / 1000} s measured; flaky's link goes down ${r.settings.outageAtMs / 1000} s into it for ${r.settings.outageMs / 1000} s (netlab \`cut\`, the profile's outage at a moment the harness knows); server: ${r.settings.mediaWorkers} forwarding mediasoup workers + 1 ingest worker`,
    `- the host's camera: the lab's barcode camera${Object.keys(r.settings.camera).length ? ` with \`${JSON.stringify(r.settings.camera)}\`` : ''} (\`tilesPerSecond: 0\`: its moving blocks and barcode, none of its random tiles of colour noise, which the 180p layer cannot carry — 4–8 fps of it at its ≈ 115 kbit/s, measured while writing this benchmark — and which a camera's 180p picture does not have); classroom pages send a small camera (320 × 180, 10 fps) and are 640 × 360 windows (Chromium here has no GPU and composites every frame in software), so that the 2 cores go to the host's encoder and the decoders; each page reads its barcode from the Y plane of the frame shown (a canvas's RGB conversion had cost 15 % of a core per 720p page)`,
    r.settings.microphone === 'beep'
      ? "- every page's microphone: Chromium's own fake one (a short beep a second, silence between; `NETWORKS_MICROPHONE=beep`): Opus codes it without in-band FEC, so its concealment is the link's loss"
      : "- every page's microphone: a teacher speaking (16 s of English sentences and pauses, ffmpeg's flite, looped: support/speech.ts) rather than Chromium's own beep, which Opus codes without in-band FEC (LBRR: speech frames only), so a beep measures the link's loss, not what a voice loses",
    ...(r.settings.recording
      ? [
          "- the host recorded each lesson from its start (`NETWORKS_RECORD=1`): the recorder's key frame requests (RECORDING_KEY_FRAME_SECONDS) reach every classroom",
        ]
      : []),
    '- goals are benchmark figures printed beside the measurements, not test thresholds',
    '',
    '## Goals',
    '',
    '| goal | measured | met |',
    '|---|---|---|',
    ...g.map((x) => `| ${x.goal} | ${x.measured} | ${yes(x.met)} |`),
    '',
  ];
  for (const h of r.halves) {
    lines.push(
      `## ${TITLES[h.mode]}: ${lessonOf(h)}`,
      '',
      WHY[h.mode],
      '',
      `Measured from ${h.measuredAt} for ${h.seconds} s. The host sent ${h.host.width}×${h.host.height} at ${h.host.fps} fps, ${h.host.videoKbps} kbit/s of video (all layers; limited by: ${h.host.qualityLimitationReason || 'nothing'}); its broadcast's level: ${h.host.level ?? '–'}.`,
      '',
      ...profileTable(h),
      '',
      ...sfuTable(h),
      ...voiceLines(h),
      `What the host sent, layer by layer (its getStats() every second): ${h.host.layers.layers
        .map(
          (l) =>
            `${l.rid} sent ${pct(l.sentShare)} of the time at ${l.heights
              .slice(0, 2)
              .map((x) => `${x.height}p ${pct(x.share)}`)
              .join(', ')}, ${l.fps} fps, ${l.kbps} kbit/s (limited by ${Object.entries(l.limitations)
              .map(([k, v]) => `${k} ${pct(v)}`)
              .join(', ')})`,
        )
        .join('; ')}; its top layer at 720p and ≥ 20 fps ${pct(h.host.layers.top720Share)} of the time.`,
      '',
      `CPU over the measurement (% of one core; the machine has ${r.machine.cores} × 100 %): ${Object.entries(
        h.cpu.groups,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(
          ', ',
        )}; everything else on the machine ${h.cpu.othersTotal}${h.cpu.others.length ? ` (${h.cpu.others.map((o) => `${o.name} ${o.percent}`).join(', ')})` : ''}. Load average every 5 s: ${h.loadAverages.join(', ')}.`,
      '',
    );
    const flaky = h.profiles.find((p) => p.recovery);
    if (flaky?.recovery) {
      lines.push(
        `flaky: link down ${ms(flaky.recovery.backAt - flaky.recovery.cutAt)}; after its return: first decoded frame ${ms(flaky.recovery.firstFrameMs)}, steady decoding ${ms(flaky.recovery.steadyMs)}, first picture drawn after the return on screen ${ms(flaky.recovery.freshPictureMs)}, back at ${flaky.recovery.beforeHeight}p (its height before the outage) ${ms(flaky.recovery.sameHeightMs)}${flaky.recovery.sameHeightMs === null ? ' (not within the measurement)' : ''}.${flaky.outsideOutage ? ` Outside the outage (before it, and from 5 s after the return): ${flaky.outsideOutage.fps} fps, longest without a frame ${ms(flaky.outsideOutage.longestGapMs)}, audio concealed ${flaky.outsideOutage.audioConcealedPercent} %.` : ''}`,
        '',
      );
    }
  }
  if (j.firstFrame) {
    const row = (name: string, d: ReturnType<typeof joinSummary>['loadMs']): string =>
      d ? `| ${name} | ${ms(d.p50)} | ${ms(d.p95)} | ${ms(d.max)} |` : `| ${name} | – | – | – |`;
    lines.push(
      '## Join → first frame (lan, loopback)',
      '',
      `${j.joins} classroom pages opened one after the other (no network emulation), in the first lesson's adaptive half with its host broadcasting. **join → first frame** = from the page handing \`lesson:join\` to its WebSocket to its first decoded video frame (getStats \`framesDecoded\` > 0 on the host's video, polled every 10 ms in the page; support/joinTimeline.ts). Each step is counted from the join leaving the page.`,
      '',
      '| step (from `lesson:join` sent) | p50 | p95 | max |',
      '|---|---|---|---|',
      row('`lesson:join` answered', j.steps.joinAnswered),
      row('`media:createTransport` sent (Device loaded)', j.steps.transportAsked),
      row('first `media:consume` answered', j.steps.consumeAnswered),
      row('`media:resumeConsumer` answered (audio and video)', j.steps.resumeAnswered),
      row('receive transport connected (ICE + DTLS)', j.steps.connected),
      row('first video packet', j.steps.firstVideoPacket),
      row('**first frame decoded**', j.steps.firstFrame),
      '',
      "Before the join, from the navigation's start (the page's own clock):",
      '',
      '| step (from the navigation) | p50 | p95 | max |',
      '|---|---|---|---|',
      row('document loaded (DOMContentLoaded)', j.documentLoaded),
      row('Socket.IO WebSocket made', j.socketMade),
      row('WebSocket open', j.socketOpen),
      row('`lesson:join` sent', j.loadMs),
      row('**first frame decoded: what the tutor waits after opening the link**', j.fromNavigation),
      '',
    );
  }
  for (const h of r.halves) {
    lines.push(
      ...logSection(h.serverLog).map((l) =>
        l.startsWith('## ') ? `${l} (${h.mode} half of ${lessonOf(h)})` : l,
      ),
    );
  }
  return lines.join('\n') + '\n';
}
