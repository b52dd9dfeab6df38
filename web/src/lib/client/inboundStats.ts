/**
 * Receive-side statistics of a page's consumers, for the e2e tests
 * (window.__cloudschool) and for diagnosing a classroom on site.
 */
import type { MediaKind } from '@cloudschool/protocol';

export interface VideoInbound {
  framesDecoded: number;
  packetsReceived: number;
}

export interface AudioInbound {
  packetsReceived: number;
  totalSamplesReceived: number;
}

/** One publisher's picture and sound. */
export interface InboundStats {
  video: VideoInbound | null;
  audio: AudioInbound | null;
}

/**
 * What `window.__cloudschool.inboundStats()` returns on every lesson page:
 * the host's media (`video`, `audio`; null on the host console, which does not
 * play its own), each on-stage classroom's (`stage`, by classroom id) and, on
 * the host side, each consumed grid tile's camera (`grid`, by classroom id).
 */
export interface LessonInbound extends InboundStats {
  stage: Record<string, InboundStats>;
  grid: Record<string, VideoInbound>;
}

/** One consumer's numbers, as the Receiver reports them. */
export type ConsumerStats = { classroomId: string | null; main: boolean; grid: boolean } & (
  { kind: 'video'; video: VideoInbound | null } | { kind: 'audio'; audio: AudioInbound | null }
);

/** Sorts consumers' numbers into the host's, the stage's and the grid's. */
export function lessonInbound(consumers: readonly ConsumerStats[]): LessonInbound {
  const out: LessonInbound = { video: null, audio: null, stage: {}, grid: {} };
  for (const c of consumers) {
    if (c.main) {
      const slot: InboundStats =
        c.classroomId === null ? out : (out.stage[c.classroomId] ??= { video: null, audio: null });
      if (c.kind === 'video') slot.video = c.video;
      else slot.audio = c.audio;
    }
    if (c.grid && c.classroomId !== null && c.kind === 'video' && c.video) out.grid[c.classroomId] = c.video;
  }
  return out;
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

/** What a classroom decodes of the host's shared screen: its size and frame rate. */
export interface ScreenInbound extends VideoInbound {
  frameWidth: number;
  frameHeight: number;
  framesPerSecond: number;
}

export function screenInbound(report: StatsSource, ssrc: number | undefined): ScreenInbound | null {
  const stat = findInbound(report, 'video', ssrc);
  if (!stat) return null;
  const field = (name: string): number =>
    count(name in stat ? (stat as Record<string, unknown>)[name] : undefined);
  return {
    framesDecoded: field('framesDecoded'),
    packetsReceived: field('packetsReceived'),
    frameWidth: field('frameWidth'),
    frameHeight: field('frameHeight'),
    framesPerSecond: field('framesPerSecond'),
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
