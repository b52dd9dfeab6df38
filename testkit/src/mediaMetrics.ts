/**
 * What the network lab reads from a page (./pageProbe.ts) and what it makes of it: glass-to-glass delay samples
 * from the time barcode, and getStats() snapshots turned into rates and ratios over an interval. Pure.
 */

/** One read of the picture on screen. `now` is when the reader took the frame, `sentAt` when it was drawn. */
export interface DelaySample {
  sentAt: number;
  now: number;
  delayMs: number;
  /** The frame's size as received (a lower simulcast layer, or a resolution the encoder dropped to). */
  width: number;
  height: number;
}

export type FrameMiss = 'no-video' | 'no-frame' | 'unreadable';

export type FrameRead = ({ ok: true } & DelaySample) | { ok: false; reason: FrameMiss };

/** What the page's sampler collected since it started. */
export interface DelayRecord {
  samples: DelaySample[];
  misses: Record<FrameMiss, number>;
}

export interface DelaySummary {
  /** Reads attempted (samples + misses). */
  reads: number;
  samples: number;
  misses: Record<FrameMiss, number>;
  /** null when no sample read. */
  p50: number | null;
  p95: number | null;
  min: number | null;
  max: number | null;
}

/** The nearest-rank percentile (0–100) of some values; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function delaySummary(record: DelayRecord): DelaySummary {
  const delays = record.samples.map((s) => s.delayMs);
  const misses = Object.values(record.misses).reduce((a, b) => a + b, 0);
  return {
    reads: record.samples.length + misses,
    samples: record.samples.length,
    misses: { ...record.misses },
    p50: percentile(delays, 50),
    p95: percentile(delays, 95),
    min: delays.length ? Math.min(...delays) : null,
    max: delays.length ? Math.max(...delays) : null,
  };
}

/** One inbound-rtp entry of a page's getStats(), as the probe copies it (absent numbers are 0). */
export interface InboundStream {
  kind: 'video' | 'audio';
  ssrc: number;
  trackIdentifier: string;
  /** Plays in the element the probe was pointed at (the classroom's `lesson-video`). */
  shown: boolean;
  /** getStats' own clock, ms. */
  timestamp: number;
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  jitterBufferDelay: number;
  jitterBufferEmittedCount: number;
  nackCount: number;
  // video
  framesDecoded: number;
  framesDropped: number;
  frameWidth: number;
  frameHeight: number;
  freezeCount: number;
  totalFreezesDuration: number;
  keyFramesDecoded: number;
  pliCount: number;
  // audio
  totalSamplesReceived: number;
  concealedSamples: number;
}

/** One outbound-rtp entry (a simulcast layer each). */
export interface OutboundStream {
  kind: 'video' | 'audio';
  ssrc: number;
  rid: string;
  timestamp: number;
  packetsSent: number;
  bytesSent: number;
  retransmittedBytesSent: number;
  framesEncoded: number;
  frameWidth: number;
  frameHeight: number;
  targetBitrate: number;
  qualityLimitationReason: string;
}

export interface StatsSnapshot {
  inbound: InboundStream[];
  outbound: OutboundStream[];
}

export interface VideoReceive {
  /** At the end of the interval. */
  width: number;
  height: number;
  fps: number;
  kbps: number;
  framesDecoded: number;
  framesDropped: number;
  freezeCount: number;
  freezeSeconds: number;
  keyFramesDecoded: number;
  packetsReceived: number;
  packetsLost: number;
  /** packetsLost / (packetsLost + packetsReceived), in percent; 0 when nothing was expected. */
  lossPercent: number;
  nackCount: number;
  pliCount: number;
  /** The mean time a frame spent in the jitter buffer over the interval. */
  jitterBufferMs: number;
}

export interface AudioReceive {
  kbps: number;
  packetsReceived: number;
  packetsLost: number;
  lossPercent: number;
  /**
   * concealedSamples / totalSamplesReceived over the interval, in percent (sound made up to hide losses); 100
   * when no sample played at all (nothing was heard).
   */
  concealedPercent: number;
  jitterBufferMs: number;
}

export interface ReceiveMetrics {
  seconds: number;
  video: VideoReceive | null;
  audio: AudioReceive | null;
}

export interface SendMetrics {
  seconds: number;
  /** Every video layer together. */
  videoKbps: number;
  audioKbps: number;
  /** The largest layer sent at the end of the interval. */
  width: number;
  height: number;
  fps: number;
  qualityLimitationReason: string;
}

/**
 * The stream of a kind that the numbers are about: the one shown in the probed element, else the one that carried
 * the most bytes (a page receiving several classrooms should point the probe at the element it means).
 */
function mainStream(streams: readonly InboundStream[], kind: 'video' | 'audio'): InboundStream | null {
  const ofKind = streams.filter((s) => s.kind === kind);
  const shown = ofKind.filter((s) => s.shown);
  const pool = shown.length > 0 ? shown : ofKind;
  return pool.reduce<InboundStream | null>((a, b) => (!a || b.bytesReceived > a.bytesReceived ? b : a), null);
}

const ratio = (part: number, whole: number): number => (whole > 0 ? (100 * part) / whole : 0);

function delta(after: InboundStream, before: InboundStream | undefined) {
  const d = (key: keyof InboundStream): number => {
    const a = after[key];
    const b = before?.[key];
    return typeof a === 'number' ? a - (typeof b === 'number' ? b : 0) : 0;
  };
  return d;
}

/**
 * Receive metrics between two snapshots of one page. A stream that appeared in between (a consumer made again
 * after a reconnect) counts from its start.
 */
export function receiveMetrics(before: StatsSnapshot, after: StatsSnapshot): ReceiveMetrics {
  const pick = (kind: 'video' | 'audio') => {
    const now = mainStream(after.inbound, kind);
    if (!now) return null;
    const then = before.inbound.find((s) => s.kind === kind && s.ssrc === now.ssrc);
    const seconds = then ? (now.timestamp - then.timestamp) / 1000 : 0;
    return { now, d: delta(now, then), seconds };
  };
  const v = pick('video');
  const a = pick('audio');
  const seconds = (v ?? a)?.seconds ?? 0;
  const per = (n: number, s: number): number => (s > 0 ? n / s : 0);
  return {
    seconds,
    video: v && {
      width: v.now.frameWidth,
      height: v.now.frameHeight,
      fps: per(v.d('framesDecoded'), v.seconds),
      kbps: per((v.d('bytesReceived') * 8) / 1000, v.seconds),
      framesDecoded: v.d('framesDecoded'),
      framesDropped: v.d('framesDropped'),
      freezeCount: v.d('freezeCount'),
      freezeSeconds: v.d('totalFreezesDuration'),
      keyFramesDecoded: v.d('keyFramesDecoded'),
      packetsReceived: v.d('packetsReceived'),
      packetsLost: v.d('packetsLost'),
      lossPercent: ratio(v.d('packetsLost'), v.d('packetsLost') + v.d('packetsReceived')),
      nackCount: v.d('nackCount'),
      pliCount: v.d('pliCount'),
      jitterBufferMs: per(1000 * v.d('jitterBufferDelay'), v.d('jitterBufferEmittedCount')),
    },
    audio: a && {
      kbps: per((a.d('bytesReceived') * 8) / 1000, a.seconds),
      packetsReceived: a.d('packetsReceived'),
      packetsLost: a.d('packetsLost'),
      lossPercent: ratio(a.d('packetsLost'), a.d('packetsLost') + a.d('packetsReceived')),
      concealedPercent:
        a.d('totalSamplesReceived') > 0 ? ratio(a.d('concealedSamples'), a.d('totalSamplesReceived')) : 100,
      jitterBufferMs: per(1000 * a.d('jitterBufferDelay'), a.d('jitterBufferEmittedCount')),
    },
  };
}

/** What a publishing page (the host) sent between two snapshots. */
export function sendMetrics(before: StatsSnapshot, after: StatsSnapshot): SendMetrics {
  let seconds = 0;
  const kbps = (kind: 'video' | 'audio'): number => {
    let bits = 0;
    let span = 0;
    for (const now of after.outbound.filter((s) => s.kind === kind)) {
      const then = before.outbound.find((s) => s.kind === kind && s.ssrc === now.ssrc);
      if (!then) continue;
      span = Math.max(span, (now.timestamp - then.timestamp) / 1000);
      bits += 8 * (now.bytesSent - then.bytesSent);
    }
    seconds = Math.max(seconds, span);
    return span > 0 ? bits / 1000 / span : 0;
  };
  const videoKbps = kbps('video');
  const audioKbps = kbps('audio');
  const top = after.outbound
    .filter((s) => s.kind === 'video')
    .reduce<OutboundStream | null>((a, b) => (!a || b.frameWidth > a.frameWidth ? b : a), null);
  const topBefore = top && before.outbound.find((s) => s.ssrc === top.ssrc);
  return {
    seconds,
    videoKbps,
    audioKbps,
    width: top?.frameWidth ?? 0,
    height: top?.frameHeight ?? 0,
    fps:
      top && topBefore && top.timestamp > topBefore.timestamp
        ? (1000 * (top.framesEncoded - topBefore.framesEncoded)) / (top.timestamp - topBefore.timestamp)
        : 0,
    qualityLimitationReason: top?.qualityLimitationReason ?? '',
  };
}
