/**
 * The host teacher's uplink over time, from its page's getStats() sampled every second: bitrate per
 * phase, the busiest window, and the shape of the run in blocks.
 */
import type { HostPage } from './hostPage.ts';
import type { OutboundSample } from './pageRtcStats.ts';
import { round, sleep } from './report.ts';

/** Samples the host page's outbound counters every second until stopped. */
export function sampleEverySecond(host: HostPage): { samples: OutboundSample[]; stop(): Promise<void> } {
  const samples: OutboundSample[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const next = Date.now() + 1000;
      samples.push(await host.outbound());
      await sleep(Math.max(0, next - Date.now()));
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

export interface Phase {
  seconds: number;
  kbitPerSecond: number;
  keyFramesEncoded: number;
  pliReceived: number;
  firReceived: number;
  framesEncoded: number;
  /** The host browser's bandwidth estimate towards the SFU over the phase. */
  estimateKbit: { mean: number; min: number };
  /** Picture at the end of the phase, and every reason the encoder gave for holding back. */
  picture: string;
  limitedBy: string[];
}

export function phase(samples: OutboundSample[], from: number, to: number): Phase {
  const inside = samples.filter((s) => s.at >= from && s.at <= to);
  const a = inside[0]!;
  const b = inside.at(-1)!;
  const seconds = (b.at - a.at) / 1000;
  return {
    seconds: round(seconds),
    kbitPerSecond: kbit(a, b),
    keyFramesEncoded: b.keyFramesEncoded - a.keyFramesEncoded,
    pliReceived: b.pliCount - a.pliCount,
    firReceived: b.firCount - a.firCount,
    framesEncoded: b.framesEncoded - a.framesEncoded,
    estimateKbit: {
      mean: Math.round(inside.reduce((sum, x) => sum + x.availableOutgoingBitrate, 0) / inside.length / 1000),
      min: Math.round(Math.min(...inside.map((x) => x.availableOutgoingBitrate)) / 1000),
    },
    picture: `${b.frameWidth}×${b.frameHeight} ${b.framesPerSecond} fps`,
    limitedBy: [...new Set(inside.map((x) => x.qualityLimitationReason))],
  };
}

const kbit = (a: OutboundSample, b: OutboundSample): number =>
  Math.round(((b.bytesSent - a.bytesSent) * 8) / ((b.at - a.at) / 1000) / 1000);

/** The sample `seconds` after `a` (100 ms early counts: samples come about once a second). */
const later = (samples: OutboundSample[], a: OutboundSample, seconds: number): OutboundSample | undefined =>
  samples.find((s) => s.at - a.at >= seconds * 1000 - 100);

/** The highest kbit/s over any `seconds` of consecutive samples starting in [from, to]. */
export function maxWindowKbit(samples: OutboundSample[], from: number, to: number, seconds: number): number {
  let max = 0;
  for (const a of samples) {
    if (a.at < from || a.at > to) continue;
    const b = later(samples, a, seconds);
    if (!b) break;
    max = Math.max(max, kbit(a, b));
  }
  return max;
}

/** Mean kbit/s of consecutive `seconds`-long blocks from `from` on: the shape of the uplink over the run. */
export function blocksKbit(
  samples: OutboundSample[],
  from: number,
  seconds: number,
): { t: number; kbit: number }[] {
  const blocks: { t: number; kbit: number }[] = [];
  for (let a = samples.find((s) => s.at >= from); a;) {
    const b = later(samples, a, seconds);
    if (!b) break;
    blocks.push({ t: Math.round((a.at - from) / 1000), kbit: kbit(a, b) });
    a = b;
  }
  return blocks;
}
