/**
 * The classroom's self-check, the pure half: what a few camera frames, a microphone's levels, a tone heard
 * back and a round trip mean, and which words tell a tutor how to fix a failure. The browser half (devices,
 * WebAudio, canvas) is ReadinessCheck.ts; the state the server and this page both show comes from the
 * protocol's judgeReadiness().
 */
import type {
  ClassroomTile,
  ReadinessCheck,
  ReadinessFailure,
  ReadinessResult,
  ReadinessState,
} from '@cloudschool/protocol';
import type { MessageKey } from '#lib/i18n/index.ts';
import type { CaptureProblem } from './capture.ts';

/** Below this mean luma (0–255) in every frame, the picture is black (a lens cap, a switched-off camera). */
export const BLACK_LUMA = 12;
/** Frames whose pixels differ by less than this on average are the same frame (a camera's sensor noise is more). */
export const FROZEN_DIFF = 0.05;
/**
 * A microphone whose loudest window stays under this RMS (≈ −70 dBFS) hears nothing: even a cheap microphone's
 * own noise in an empty room is above it; a switched-off or broken one gives (near) digital silence.
 */
export const SILENT_RMS = 0.0003;
/** The tone is heard when its frequency stands this much above what the microphone heard there before… */
export const TONE_HEARD_DB = 15;
/**
 * …and is at least this loud (dBFS): Chromium's fake microphone is digital silence (−∞ dB) between beeps
 * whose edges leak ≈ −86 dB into the tone's band, which must not count as a speaker heard.
 */
export const TONE_MIN_DB = -70;
/** Levels below this (down to −∞ for digital silence) count as this. */
const TONE_FLOOR_DB = -100;
/** A round trip to the server this long makes a lesson's sound and picture lag and break up. */
export const SLOW_RTT_MS = 1000;

/** Frames sampled from the camera (RGBA, all the same size): a picture, black, or one frame repeated. */
export function judgeFrames(frames: readonly Uint8ClampedArray[]): 'ok' | 'black' | 'frozen' {
  if (frames.length === 0) return 'black';
  if (frames.every((frame) => meanLuma(frame) < BLACK_LUMA)) return 'black';
  for (let i = 1; i < frames.length; i++) {
    if (meanDiff(frames[i - 1]!, frames[i]!) >= FROZEN_DIFF) return 'ok';
  }
  return frames.length > 1 ? 'frozen' : 'ok';
}

function meanLuma(rgba: Uint8ClampedArray): number {
  let sum = 0;
  const pixels = rgba.length / 4;
  for (let i = 0; i < rgba.length; i += 4) {
    sum += 0.299 * rgba[i]! + 0.587 * rgba[i + 1]! + 0.114 * rgba[i + 2]!;
  }
  return pixels > 0 ? sum / pixels : 0;
}

function meanDiff(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) if (i % 4 !== 3) sum += Math.abs(a[i]! - (b[i] ?? 0));
  return a.length > 0 ? sum / ((a.length / 4) * 3) : 0;
}

/** The RMS level (0–1) of a window of samples. */
export function rms(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return samples.length > 0 ? Math.sqrt(sum / samples.length) : 0;
}

/** A microphone from its track's state and the levels of windows over a second or two. */
export function judgeMicrophone(muted: boolean, levels: readonly number[]): 'ok' | 'muted' | 'silent' {
  if (muted) return 'muted';
  return levels.some((level) => level >= SILENT_RMS) ? 'ok' : 'silent';
}

function median(values: readonly number[]): number {
  if (values.length === 0) return -Infinity;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Whether the tone came back: the microphone's level at the tone's frequency (dB, one value per window)
 * while it played against before. Medians, so a beep or a word in either stretch does not decide.
 */
export function toneHeard(beforeDb: readonly number[], duringDb: readonly number[]): boolean {
  const floor = (values: readonly number[]) => values.map((db) => Math.max(db, TONE_FLOOR_DB));
  const during = median(floor(duringDb));
  return during >= TONE_MIN_DB && during - median(floor(beforeDb)) >= TONE_HEARD_DB;
}

/**
 * The network from the round trip of a report to the server (null: not measured) and the browser's own
 * estimate of its connection (`navigator.connection.effectiveType`, where there is one).
 */
export function judgeNetwork(rttMs: number | null, effectiveType?: string): 'ok' | 'slow' {
  if (rttMs !== null && rttMs >= SLOW_RTT_MS) return 'slow';
  return effectiveType === '2g' || effectiveType === 'slow-2g' ? 'slow' : 'ok';
}

/** Why a camera or microphone gave no track, as a readiness result. */
export function deviceResult(problem: CaptureProblem): 'not_found' | 'denied' | 'busy' | 'error' {
  switch (problem) {
    case 'not-found':
    case 'ended':
      return 'not_found';
    case 'denied':
    case 'insecure':
      return 'denied';
    case 'busy':
      return 'busy';
    case 'bad-device':
    case 'unknown':
      return 'error';
  }
}

/** The words for a check's name. */
export const readinessCheckKeys: Record<ReadinessCheck, MessageKey> = {
  camera: 'readiness.check.camera',
  microphone: 'readiness.check.microphone',
  speaker: 'readiness.check.speaker',
  network: 'readiness.check.network',
  sound: 'readiness.check.sound',
};

export const readinessStateKeys: Record<ReadinessState, MessageKey> = {
  ready: 'readiness.state.ready',
  not_ready: 'readiness.state.not_ready',
  checking: 'readiness.state.checking',
};

/** Where a classroom stands before the lesson: its readiness, or absent (no page in the lesson). */
export type ReadinessStanding = ReadinessState | 'absent';

const standingOrder: Record<ReadinessStanding, number> = { not_ready: 0, checking: 1, absent: 2, ready: 3 };

export function standingOf(tile: Pick<ClassroomTile, 'readiness'>): ReadinessStanding {
  return tile.readiness?.state ?? 'absent';
}

/**
 * The host side's list before the lesson: what needs someone first (not ready, then checking, then absent,
 * then ready; by name within each), and how many stand where.
 */
export function readinessOverview<T extends Pick<ClassroomTile, 'readiness' | 'name'>>(
  tiles: readonly T[],
): { tiles: T[]; counts: Record<ReadinessStanding, number> } {
  const counts: Record<ReadinessStanding, number> = { not_ready: 0, checking: 0, absent: 0, ready: 0 };
  for (const tile of tiles) counts[standingOf(tile)]++;
  const sorted = [...tiles].sort(
    (a, b) =>
      standingOrder[standingOf(a)] - standingOrder[standingOf(b)] || a.name.localeCompare(b.name, 'zh-CN'),
  );
  return { tiles: sorted, counts };
}

/** What a tutor does about a failure, in their words ("未找到摄像头：请检查摄像头连接…"). */
export function readinessFixKey(failure: ReadinessFailure): MessageKey {
  return `readiness.fix.${failure.check}.${failure.reason}` as MessageKey;
}

/**
 * A check's line on the classroom's screen: passed, still measuring (or, once the run is over, waiting for
 * sound to be allowed: the microphone's level needs WebAudio), or its failure's words.
 */
export function readinessLineKey<C extends ReadinessCheck>(
  check: C,
  result: ReadinessResult<C>,
  running = true,
): MessageKey {
  if (result === 'ok') return 'readiness.result.ok';
  if (result === 'pending') return running ? 'readiness.result.pending' : 'readiness.result.later';
  return readinessFixKey({ check, reason: result } as ReadinessFailure);
}
