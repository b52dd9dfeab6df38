/**
 * One classroom's figures over a measurement of `npm run bench:networks`, from the network lab's measurement
 * (getStats before and after, barcode reads: testkit/src/mediaMetrics.ts), the page's 100-ms samples
 * (./receiveTimeline.ts) and, for the flaky classroom, when its link went down and came back.
 */
import { LINK_PROFILES, percentile } from '@cloudschool/testkit/netlab';
import type { LinkProfileName, Measurement } from '@cloudschool/testkit/netlab';
import type { ProfileResult } from './networksReport.ts';
import {
  concealedPercent,
  firstAtHeight,
  firstFrameAfter,
  heightShares,
  longestGap,
  overWindows,
  steadyAfter,
} from './receiveTimeline.ts';
import type { ReceiveSample } from './receiveTimeline.ts';
import { round } from './report.ts';

/** The height of the picture decoded last before `at`. */
function heightBefore(samples: readonly ReceiveSample[], at: number): number {
  let height = 0;
  for (let i = 1; i < samples.length && samples[i]![0] < at; i++)
    if (samples[i]![1] > samples[i - 1]![1]) height = samples[i]![2];
  return height;
}

/**
 * A page that played no sound in the window (run 21: a page without adaptation on the bad link that never kept a
 * connection) lost all of the voice: 100 % concealed, not the 0 % a ratio of nothing would leave.
 */
const NOTHING_HEARD = 100;

/** Samples and barcode reads this long after the link's return still count as the outage's (the picture catching up). */
const OUTAGE_TAIL_MS = 5_000;

export function profileFigures(o: {
  profile: LinkProfileName;
  measurement: Measurement;
  samples: ReceiveSample[];
  from: number;
  to: number;
  outage: { at: number; back: number } | null;
  shown: ProfileResult['shown'];
}): ProfileResult {
  const { measurement: m, samples, from, to, outage } = o;
  const v = m.receive.video;
  const a = m.receive.audio;
  const heights = heightShares(samples, from, to);
  const since = (t: number | null, back: number): number | null => (t === null ? null : t - back);
  const apart = outage
    ? overWindows(samples, [
        [from, outage.at],
        [outage.back + OUTAGE_TAIL_MS, to],
      ])
    : null;
  const outside = outage
    ? m.samples.filter((s) => s.now < outage.at || s.now > outage.back + OUTAGE_TAIL_MS).map((s) => s.delayMs)
    : null;
  return {
    profile: o.profile,
    link: LINK_PROFILES[o.profile].link,
    seconds: round(m.receive.seconds, 1),
    width: v?.width ?? 0,
    height: v?.height ?? 0,
    heights: heights.map((h) => ({ height: h.height, share: round(h.share, 3) })),
    minHeight: heights.length ? Math.min(...heights.map((h) => h.height)) : 0,
    fps: round(v?.fps ?? 0, 1),
    videoKbps: round(v?.kbps ?? 0, 0),
    videoLossPercent: round(v?.lossPercent ?? 0, 2),
    freezeCount: v?.freezeCount ?? 0,
    freezeSeconds: round(v?.freezeSeconds ?? 0, 2),
    longestGapMs: Math.round(longestGap(samples, from, to)),
    audioConcealedPercent: round(
      a?.concealedPercent ?? concealedPercent(samples, from, to) ?? NOTHING_HEARD,
      2,
    ),
    audioLossPercent: round(a?.lossPercent ?? 0, 2),
    jitterBufferMs: round(v?.jitterBufferMs ?? 0, 0),
    audioJitterBufferMs: round(a?.jitterBufferMs ?? 0, 0),
    delay: {
      p50: m.delay.p50,
      p95: m.delay.p95,
      max: m.delay.max,
      read: m.delay.samples,
      reads: m.delay.reads,
      outsideOutage: outside ? { p50: percentile(outside, 50), p95: percentile(outside, 95) } : null,
    },
    outsideOutage: apart
      ? {
          fps: round(apart.fps, 1),
          longestGapMs: Math.round(apart.longestGapMs),
          audioConcealedPercent: round(apart.concealedPercent ?? NOTHING_HEARD, 2),
        }
      : null,
    recovery: outage
      ? {
          cutAt: outage.at,
          backAt: outage.back,
          firstFrameMs: since(firstFrameAfter(samples, outage.back), outage.back),
          steadyMs: since(steadyAfter(samples, outage.back), outage.back),
          freshPictureMs: since(m.samples.find((s) => s.sentAt > outage.back)?.now ?? null, outage.back),
          beforeHeight: heightBefore(samples, outage.at),
          sameHeightMs: since(
            firstAtHeight(samples, outage.back, heightBefore(samples, outage.at)),
            outage.back,
          ),
        }
      : null,
    shown: o.shown,
    sfu: null,
    voice: null,
  };
}
