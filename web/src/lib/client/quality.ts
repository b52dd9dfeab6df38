/**
 * What a page's media measured over an interval (pure): two samples of its peer connections' getStats(),
 * taken a few seconds apart, become one `QualityReport` (protocol/quality.ts) — frame size, frame rate,
 * freezes, loss, jitter buffer and bitrate of the main media it receives; loss, concealment and jitter of
 * its sound; round trip and available bitrate of its links; size, rate, bitrate and limitation of what it
 * sends, and the loss and round trip the server reports for it. QualityReporter.ts takes the samples and
 * sends the reports; the server answers a level.
 *
 * The browser's counters are cumulative: every rate here is a difference between the two samples. A
 * stream that appeared in between (a consumer made again) counts from zero; one whose counters went back
 * (a new stream under the same SSRC) too. mediasoup's bandwidth probation stream (SSRC 1234) never counts.
 */
import type { QualityReport } from '@cloudschool/protocol';
import type { StatsSource } from './inboundStats.ts';

/** mediasoup's probation stream on every video consumer's transport: it never carries a frame. */
export const PROBATOR_SSRC = 1234;

/** One inbound-rtp stream of the main media (absent counters are 0). */
export interface InboundSnapshot {
  kind: 'video' | 'audio';
  ssrc: number;
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  /** Seconds, summed over the frames (video) or samples (audio) the jitter buffer let out. */
  jitterBufferDelay: number;
  jitterBufferEmittedCount: number;
  /** Seconds, the browser's current estimate (not a counter). */
  jitter: number;
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
  freezeCount: number;
  /** Seconds. */
  totalFreezesDuration: number;
  totalSamplesReceived: number;
  concealedSamples: number;
}

/** One outbound-rtp stream: a simulcast layer, or the microphone. */
export interface OutboundSnapshot {
  kind: 'video' | 'audio';
  ssrc: number;
  bytesSent: number;
  framesEncoded: number;
  frameWidth: number;
  frameHeight: number;
  qualityLimitationReason: string;
}

/** What the server's RTCP said of one stream this page sends (remote-inbound-rtp). */
export interface RemoteInboundSnapshot {
  kind: 'video' | 'audio';
  /** 0–1, over the last RTCP interval. */
  fractionLost: number | null;
  /** Seconds. */
  roundTripTime: number | null;
}

/** The selected ICE candidate pair of a peer connection. */
export interface PairSnapshot {
  rttMs: number | null;
  availableIncomingKbps: number | null;
  availableOutgoingKbps: number | null;
}

export interface ReceiveSample {
  inbound: InboundSnapshot[];
  pair: PairSnapshot | null;
}

export interface SendSample {
  outbound: OutboundSnapshot[];
  remote: RemoteInboundSnapshot[];
  pair: PairSnapshot | null;
}

/** One sample of a page: its receive side and its send side (null: it has none). */
export interface QualitySample {
  /** When it was taken (ms, one clock for both samples). */
  at: number;
  received: ReceiveSample | null;
  sent: SendSample | null;
}

// ---------------------------------------------------------------- reading getStats()

type Stat = Record<string, unknown>;

function* stats(report: StatsSource, type: string): Generator<Stat> {
  for (const stat of report.values()) {
    if (typeof stat !== 'object' || stat === null) continue;
    const s = stat as Stat;
    if (s.type === type) yield s;
  }
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function maybe(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function kindOf(stat: Stat): 'video' | 'audio' | null {
  const kind = stat.kind ?? stat.mediaType;
  return kind === 'video' || kind === 'audio' ? kind : null;
}

/** The connection's selected candidate pair: by the transport's pointer, else the nominated one that works. */
export function readPair(report: StatsSource): PairSnapshot | null {
  const pairs = [...stats(report, 'candidate-pair')];
  let pair: Stat | undefined;
  for (const transport of stats(report, 'transport')) {
    const id = transport.selectedCandidatePairId;
    pair = pairs.find((p) => p.id === id) ?? pair;
  }
  pair ??= pairs.find((p) => p.selected === true || (p.nominated === true && p.state === 'succeeded'));
  if (!pair) return null;
  const rtt = maybe(pair.currentRoundTripTime);
  const incoming = maybe(pair.availableIncomingBitrate);
  const outgoing = maybe(pair.availableOutgoingBitrate);
  return {
    rttMs: rtt === null ? null : rtt * 1000,
    availableIncomingKbps: incoming === null ? null : incoming / 1000,
    availableOutgoingKbps: outgoing === null ? null : outgoing / 1000,
  };
}

/**
 * The receive side: the inbound streams of the main media (by SSRC: the consumers the page plays as the
 * lesson; every inbound stream but the probator when `ssrcs` is null) and the selected pair.
 */
export function readReceive(report: StatsSource, ssrcs: ReadonlySet<number> | null): ReceiveSample {
  const inbound: InboundSnapshot[] = [];
  for (const s of stats(report, 'inbound-rtp')) {
    const kind = kindOf(s);
    const ssrc = num(s.ssrc);
    if (!kind || ssrc === PROBATOR_SSRC || (ssrcs && !ssrcs.has(ssrc))) continue;
    inbound.push({
      kind,
      ssrc,
      packetsReceived: num(s.packetsReceived),
      packetsLost: num(s.packetsLost),
      bytesReceived: num(s.bytesReceived),
      jitterBufferDelay: num(s.jitterBufferDelay),
      jitterBufferEmittedCount: num(s.jitterBufferEmittedCount),
      jitter: num(s.jitter),
      framesDecoded: num(s.framesDecoded),
      frameWidth: num(s.frameWidth),
      frameHeight: num(s.frameHeight),
      freezeCount: num(s.freezeCount),
      totalFreezesDuration: num(s.totalFreezesDuration),
      totalSamplesReceived: num(s.totalSamplesReceived),
      concealedSamples: num(s.concealedSamples),
    });
  }
  return { inbound, pair: readPair(report) };
}

/** The send side: every outbound stream (each simulcast layer), the server's RTCP about them, the pair. */
export function readSend(report: StatsSource): SendSample {
  const outbound: OutboundSnapshot[] = [];
  for (const s of stats(report, 'outbound-rtp')) {
    const kind = kindOf(s);
    if (!kind) continue;
    outbound.push({
      kind,
      ssrc: num(s.ssrc),
      bytesSent: num(s.bytesSent),
      framesEncoded: num(s.framesEncoded),
      frameWidth: num(s.frameWidth),
      frameHeight: num(s.frameHeight),
      qualityLimitationReason:
        typeof s.qualityLimitationReason === 'string' ? s.qualityLimitationReason : 'none',
    });
  }
  const remote: RemoteInboundSnapshot[] = [];
  for (const s of stats(report, 'remote-inbound-rtp')) {
    const kind = kindOf(s);
    if (kind)
      remote.push({ kind, fractionLost: maybe(s.fractionLost), roundTripTime: maybe(s.roundTripTime) });
  }
  return { outbound, remote, pair: readPair(report) };
}

// ---------------------------------------------------------------- two samples → one report

/** The least and most time a report may cover (the protocol's bounds). */
const MIN_INTERVAL_MS = 500;
const MAX_INTERVAL_MS = 60_000;

const clamp = (value: number, max: number): number => Math.min(max, Math.max(0, value));
/** Two decimals are plenty, and keep the report small. */
const round = (value: number): number => Math.round(value * 100) / 100;
const percent = (part: number, whole: number): number =>
  whole > 0 ? round(clamp((100 * part) / whole, 100)) : 0;

type Stream = InboundSnapshot | OutboundSnapshot;
type Counter<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];

/** The bytes a stream carried so far: bytes that went back mean a new stream under the same SSRC. */
const carried = (s: Stream): number => ('bytesReceived' in s ? s.bytesReceived : s.bytesSent);

/**
 * A stream's counters over the interval: against its previous sample, if it had one and it is the same
 * stream still; from zero otherwise. (A difference may be negative: packetsLost falls when late packets
 * arrive after all.)
 */
function deltas<T extends Stream>(after: T, before: readonly T[]): (key: Counter<T>) => number {
  const found = before.find((b) => b.ssrc === after.ssrc && b.kind === after.kind);
  const then = found && carried(found) <= carried(after) ? found : undefined;
  return (key) => (after[key] as number) - ((then?.[key] as number | undefined) ?? 0);
}

type Received = NonNullable<QualityReport['received']>;
type Sent = NonNullable<QualityReport['sent']>;
type Limitation = NonNullable<Sent['video']>['limitation'];

function videoReceived(v: InboundSnapshot, before: readonly InboundSnapshot[], seconds: number) {
  const d = deltas(v, before);
  const lost = Math.max(0, d('packetsLost'));
  const emitted = d('jitterBufferEmittedCount');
  return {
    width: Math.round(clamp(v.frameWidth, 8192)),
    height: Math.round(clamp(v.frameHeight, 8192)),
    fps: round(clamp(d('framesDecoded') / seconds, 240)),
    freezes: Math.round(clamp(d('freezeCount'), 1e9)),
    freezeMs: round(clamp(d('totalFreezesDuration') * 1000, 600_000)),
    lossPercent: percent(lost, lost + d('packetsReceived')),
    jitterBufferMs: emitted > 0 ? round(clamp((1000 * d('jitterBufferDelay')) / emitted, 600_000)) : 0,
    kbps: round(clamp((8 * d('bytesReceived')) / 1000 / seconds, 1_000_000)),
  };
}

function audioReceived(a: InboundSnapshot, before: readonly InboundSnapshot[]) {
  const d = deltas(a, before);
  const lost = Math.max(0, d('packetsLost'));
  return {
    lossPercent: percent(lost, lost + d('packetsReceived')),
    concealedPercent: percent(d('concealedSamples'), d('totalSamplesReceived')),
    jitterMs: round(clamp(a.jitter * 1000, 600_000)),
  };
}

/**
 * Of several streams of a kind (the host receiving two classrooms on stage), the one that fares worst: the
 * lowest frame rate, the most concealed sound.
 */
function worstBy<T>(items: readonly T[], badness: (item: T) => number): T | null {
  let worst: T | null = null;
  let score = -Infinity;
  for (const item of items) {
    const s = badness(item);
    if (s > score) {
      worst = item;
      score = s;
    }
  }
  return worst;
}

function receivedOver(after: ReceiveSample, before: ReceiveSample | null, seconds: number): Received | null {
  const was = before?.inbound ?? [];
  // A stream that brought no packet in the interval is not reported on: the server knows whether anything
  // was sent (a muted microphone on stage is not), and judges what was sent and did not arrive.
  const arrived = after.inbound.filter((s) => deltas(s, was)('packetsReceived') > 0);
  const videos = arrived.filter((s) => s.kind === 'video').map((s) => videoReceived(s, was, seconds));
  const audios = arrived.filter((s) => s.kind === 'audio').map((s) => audioReceived(s, was));
  const pair = after.pair;
  if (videos.length === 0 && audios.length === 0 && !pair) return null;
  const available = pair?.availableIncomingKbps ?? null;
  return {
    video: worstBy(videos, (v) => -v.fps),
    audio: worstBy(audios, (a) => a.concealedPercent + a.lossPercent),
    rttMs: pair && pair.rttMs !== null ? round(clamp(pair.rttMs, 600_000)) : null,
    availableKbps: available === null ? null : round(clamp(available, 1_000_000)),
  };
}

const LIMITATIONS = ['bandwidth', 'cpu', 'other'] as const;

/** Why the browser holds back what it sends: the first of bandwidth, cpu, other any layer gives. */
function limitation(layers: readonly OutboundSnapshot[]): Limitation {
  const reasons = new Set(layers.map((l) => l.qualityLimitationReason));
  return LIMITATIONS.find((reason) => reasons.has(reason)) ?? 'none';
}

function sentOver(after: SendSample, before: SendSample | null, seconds: number): Sent | null {
  const was = before?.outbound ?? [];
  // Only what moved in the interval: a layer the browser switched off (or a stopped sender) keeps its last figures.
  const active = after.outbound.filter((s) => deltas(s, was)('bytesSent') > 0);
  if (active.length === 0) return null;
  const layers = active.filter((s) => s.kind === 'video');
  // The biggest picture sent: the top layer still on.
  const top = worstBy(layers, (l) => l.frameWidth * l.frameHeight);
  const videoBytes = layers.reduce((sum, l) => sum + deltas(l, was)('bytesSent'), 0);
  const losses = after.remote.map((r) => r.fractionLost).filter((f): f is number => f !== null);
  const rtts = after.remote.map((r) => r.roundTripTime).filter((t): t is number => t !== null);
  const rtt = rtts.length > 0 ? 1000 * Math.max(...rtts) : (after.pair?.rttMs ?? null);
  const available = after.pair?.availableOutgoingKbps ?? null;
  return {
    video: top && {
      width: Math.round(clamp(top.frameWidth, 8192)),
      height: Math.round(clamp(top.frameHeight, 8192)),
      fps: round(clamp(deltas(top, was)('framesEncoded') / seconds, 240)),
      kbps: round(clamp((8 * videoBytes) / 1000 / seconds, 1_000_000)),
      limitation: limitation(layers),
    },
    lossPercent: losses.length > 0 ? round(clamp(100 * Math.max(...losses), 100)) : null,
    rttMs: rtt === null ? null : round(clamp(rtt, 600_000)),
    availableKbps: available === null ? null : round(clamp(available, 1_000_000)),
  };
}

/** The report for the interval between two samples; null when they are too close together to say anything. */
export function qualityReport(before: QualitySample, after: QualitySample): QualityReport | null {
  const elapsed = after.at - before.at;
  if (!(elapsed >= MIN_INTERVAL_MS)) return null;
  const seconds = elapsed / 1000;
  return {
    intervalMs: Math.round(Math.min(elapsed, MAX_INTERVAL_MS)),
    received: after.received && receivedOver(after.received, before.received, seconds),
    sent: after.sent && sentOver(after.sent, before.sent, seconds),
  };
}

/**
 * Media flows between two samples taken a moment apart. A page that plays main media (`receiving`): a
 * frame of it decoded (or, without video, a sound packet received); any other page: a byte sent.
 */
export function mediaFlowing(before: QualitySample, after: QualitySample, receiving: boolean): boolean {
  const rose = <T extends { ssrc: number; kind: string }>(
    now: readonly T[],
    was: readonly T[],
    counter: (s: T) => number,
  ): boolean =>
    now.some((s) => {
      const then = was.find((b) => b.ssrc === s.ssrc && b.kind === s.kind);
      return then !== undefined && counter(s) > counter(then);
    });
  if (receiving) {
    const inbound = after.received?.inbound ?? [];
    const was = before.received?.inbound ?? [];
    const videos = inbound.filter((s) => s.kind === 'video');
    return videos.length > 0
      ? rose(videos, was, (s) => s.framesDecoded)
      : rose(inbound, was, (s) => s.packetsReceived);
  }
  return rose(after.sent?.outbound ?? [], before.sent?.outbound ?? [], (s) => s.bytesSent);
}
