/**
 * Receive-side statistics of the classroom's consumers, for the e2e tests
 * (window.__cloudschool) and for diagnosing a classroom on site.
 */
import type { MediaKind } from '@cloudschool/signaling/protocol';

export interface InboundStats {
  video: { framesDecoded: number; packetsReceived: number } | null;
  audio: { packetsReceived: number; totalSamplesReceived: number } | null;
}

/** The values of an RTCStatsReport; typed as unknown because browsers differ in what they fill in. */
export interface StatsSource {
  values(): Iterable<unknown>;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * The 'inbound-rtp' entry of one consumer, matched by its SSRC when known:
 * mediasoup also sends a bandwidth probation stream (SSRC 1234) on a video
 * consumer's transport, which shows up as an inbound video stream that never
 * decodes a frame.
 */
function findInbound(report: StatsSource, kind: MediaKind, ssrc: number | undefined): object | null {
  for (const stat of report.values()) {
    if (typeof stat !== 'object' || stat === null) continue;
    if (!('type' in stat) || stat.type !== 'inbound-rtp') continue;
    if (!('kind' in stat) || stat.kind !== kind) continue;
    if (ssrc !== undefined && (!('ssrc' in stat) || stat.ssrc !== ssrc)) continue;
    return stat;
  }
  return null;
}

export function videoInbound(report: StatsSource, ssrc: number | undefined): InboundStats['video'] {
  const stat = findInbound(report, 'video', ssrc);
  if (!stat) return null;
  return {
    framesDecoded: count('framesDecoded' in stat ? stat.framesDecoded : undefined),
    packetsReceived: count('packetsReceived' in stat ? stat.packetsReceived : undefined),
  };
}

export function audioInbound(report: StatsSource, ssrc: number | undefined): InboundStats['audio'] {
  const stat = findInbound(report, 'audio', ssrc);
  if (!stat) return null;
  return {
    packetsReceived: count('packetsReceived' in stat ? stat.packetsReceived : undefined),
    totalSamplesReceived: count('totalSamplesReceived' in stat ? stat.totalSamplesReceived : undefined),
  };
}
