/**
 * Dark periods from a page's frame samples (./frameSampler.ts): when frames stopped and came back around an
 * event. Pure, so the arithmetic can be checked without a browser.
 */
import type { FrameSample } from './frameSampler.ts';

/** Which counter of a sample: video frames decoded, audio packets received, video frames encoded. */
export type Counter = 'video' | 'audio' | 'sent';

const COLUMNS = { video: 1, audio: 2, sent: 3 } as const;
const column = (counter: Counter): 1 | 2 | 3 => COLUMNS[counter];

/** The times (epoch ms) of the samples at which the counter had risen since the sample before. */
export function progressTimes(samples: readonly FrameSample[], counter: Counter): number[] {
  const c = column(counter);
  const out: number[] = [];
  for (let i = 1; i < samples.length; i++) if (samples[i]![c] > samples[i - 1]![c]) out.push(samples[i]![0]);
  return out;
}

export interface Dark {
  /** The longest time without anything new that overlaps the window after the event, ms. */
  longestMs: number;
  /** Its start (the last new frame before it) and end (the first after it), ms from the event; end null: not back by `until`. */
  fromMs: number | null;
  toMs: number | null;
  /** Every stretch of at least `gapMs` without anything new in the window, summed; and how many. */
  totalMs: number;
  gaps: number;
  /** The longest stretch without anything new in the `baselineMs` before the event: the measurement's own noise. */
  baselineMs: number;
}

/**
 * The dark periods of one counter around an event at `event`, up to `until` (both epoch ms). A gap counts when
 * it ends after the event (frames already queued may still come out after it); a page with nothing new since
 * before `until` by more than `gapMs` is dark to the end (`toMs` null, `longestMs` at least that long).
 */
export function darkAround(
  samples: readonly FrameSample[],
  counter: Counter,
  event: number,
  until: number,
  o: { gapMs?: number; baselineMs?: number } = {},
): Dark {
  const gapMs = o.gapMs ?? 300;
  const baselineWindow = o.baselineMs ?? 3000;
  const all = progressTimes(
    samples.filter((s) => s[0] <= until),
    counter,
  );
  const before = all.filter((t) => t <= event);
  const after = all.filter((t) => t > event);
  const startAt = before.at(-1) ?? samples[0]?.[0] ?? event;
  const points = [startAt, ...after];
  let longest = { ms: 0, from: startAt, to: startAt as number | null };
  let totalMs = 0;
  let gaps = 0;
  for (let i = 1; i < points.length; i++) {
    const ms = points[i]! - points[i - 1]!;
    if (ms >= gapMs) {
      totalMs += ms;
      gaps++;
    }
    if (ms > longest.ms) longest = { ms, from: points[i - 1]!, to: points[i]! };
  }
  const lastSampleAt = samples.filter((s) => s[0] <= until).at(-1)?.[0] ?? until;
  const tail = lastSampleAt - points.at(-1)!;
  if (tail >= gapMs) {
    totalMs += tail;
    gaps++;
    if (tail > longest.ms) longest = { ms: tail, from: points.at(-1)!, to: null };
  }
  const quiet = all.filter((t) => t > event - baselineWindow && t <= event);
  let baselineMs = 0;
  for (let i = 1; i < quiet.length; i++) baselineMs = Math.max(baselineMs, quiet[i]! - quiet[i - 1]!);
  return {
    longestMs: longest.ms,
    fromMs: longest.from - event,
    toMs: longest.to === null ? null : longest.to - event,
    totalMs,
    gaps,
    baselineMs,
  };
}

/** Ms from `at` until the counter rose again (null: not before `until`). */
export function firstProgressAfter(
  samples: readonly FrameSample[],
  counter: Counter,
  at: number,
  until: number,
): number | null {
  const t = progressTimes(samples, counter).find((x) => x > at && x <= until);
  return t === undefined ? null : t - at;
}

/** Whether the counter rose in at least `share` of the samples of the last `ms` before `at`. */
export function steady(
  samples: readonly FrameSample[],
  counter: Counter,
  at: number,
  ms: number,
  share = 0.5,
): boolean {
  const c = column(counter);
  const recent = samples.filter((s) => s[0] > at - ms && s[0] <= at);
  if (recent.length < (ms / 100) * 0.6) return false;
  let rising = 0;
  for (let i = 1; i < recent.length; i++) if (recent[i]![c] > recent[i - 1]![c]) rising++;
  return rising >= share * (recent.length - 1);
}

/** How much the counter rose in (from, to], and when it first did (null: it did not). */
export function risenBetween(
  samples: readonly FrameSample[],
  counter: Counter,
  from: number,
  to: number,
): { count: number; firstAt: number | null } {
  const c = column(counter);
  let count = 0;
  let firstAt: number | null = null;
  for (let i = 1; i < samples.length; i++) {
    const [at] = samples[i]!;
    if (at <= from || at > to) continue;
    const rise = samples[i]![c] - samples[i - 1]![c];
    if (rise > 0) {
      count += rise;
      firstAt ??= at;
    }
  }
  return { count, firstAt };
}

/**
 * Ms from `from` until the counter rises steadily again: the first rise after `from` that is followed by
 * `windowMs` of steady rising (see `steady`); null: not before `until`.
 */
export function steadyAgainAfter(
  samples: readonly FrameSample[],
  counter: Counter,
  from: number,
  until: number,
  windowMs = 1000,
): number | null {
  for (const at of progressTimes(samples, counter)) {
    if (at <= from || at + windowMs > until) continue;
    if (steady(samples, counter, at + windowMs, windowMs)) return at - from;
  }
  return null;
}
