/**
 * S-T analysis (S-T 分析法) of a lesson's teaching behaviour, pure. The lesson is sampled at a fixed interval
 * (30 s by default) and each sample is coded T (the teacher's behaviour: talking, writing on the board,
 * showing courseware) or S (everything else: students speaking, answering, asking, practising, silence).
 * From the sequence: Rt = N_T / N (the teacher's share) and Ch = (g − 1) / N (how often the behaviour
 * changes hands; g is the number of runs of identical consecutive samples), and the lesson's type:
 *
 *   练习型 practice  Rt ≤ 0.3
 *   讲授型 lecture   Rt ≥ 0.7
 *   对话型 dialogue  Ch ≥ 0.4 (and 0.3 < Rt < 0.7)
 *   混合型 mixed     otherwise (0.3 < Rt < 0.7, Ch < 0.4)
 *
 * These are the standard thresholds of the method as taught in Chinese educational technology (傅德荣、
 * 章慧敏《教育信息处理》, 北京师范大学出版社, and the many S-T studies that use its Rt-Ch diagram); quoted
 * here from that literature as commonly tabulated, not re-checked against the book in this repository. Rt
 * is tested before Ch, as in that table: a lesson with Rt ≤ 0.3 is practice whatever its Ch.
 *
 * What the platform sees is not what an observer in the room sees, so each sample is coded from evidence,
 * in tiers (the first tier with any evidence in the sample's window decides):
 *   1. speech: the host teacher's voice (T) against an on-stage classroom speaking (S), by time;
 *   2. activity: host board writing and courseware page turns (T) against an open quiz, quiz answers,
 *      questions and raised hands (S); an open quiz counts by its time in the window, every other event
 *      for POINT_CREDIT_MS, each side capped at the window;
 *   3. the host broadcasting (T): a live lesson whose teacher does nothing observable is taken as talking;
 *   otherwise S (the method codes silence and students' own work as S).
 * Ties go to S: when students are observably active, the sample is theirs.
 */

/** Behaviours that last (ms since the epoch, [from, to)). */
export type IntervalKind = 'teacher_voice' | 'stage_speech' | 'quiz_open' | 'host_broadcast';
/** Behaviours at an instant. */
export type PointKind = 'host_board' | 'host_courseware' | 'question' | 'quiz_answer' | 'hand_raised';

export type TimelineEvent =
  { kind: IntervalKind; from: number; to: number } | { kind: PointKind; at: number };

export type StSample = 'S' | 'T';
export type StKind = 'practice' | 'lecture' | 'dialogue' | 'mixed';

export interface StCurvePoint {
  /** Samples so far (1 … N). */
  n: number;
  /** Of which T. */
  t: number;
}

export interface StResult {
  intervalMs: number;
  samples: StSample[];
  /** N, N_T, g. */
  n: number;
  nT: number;
  runs: number;
  rt: number;
  ch: number;
  kind: StKind;
  /** The S-T curve: after each sample, how many of the samples so far were T (S = n − t). */
  curve: StCurvePoint[];
}

export const DEFAULT_ST_INTERVAL_MS = 30_000;
/** How much of a window one instant event (a stroke, a question, an answer) stands for. */
export const POINT_CREDIT_MS = 5_000;

export const ST_THRESHOLDS = { practiceRt: 0.3, lectureRt: 0.7, dialogueCh: 0.4 } as const;

const SIDE: Record<IntervalKind | PointKind, { side: StSample; tier: 1 | 2 | 3 }> = {
  teacher_voice: { side: 'T', tier: 1 },
  stage_speech: { side: 'S', tier: 1 },
  host_board: { side: 'T', tier: 2 },
  host_courseware: { side: 'T', tier: 2 },
  quiz_open: { side: 'S', tier: 2 },
  question: { side: 'S', tier: 2 },
  quiz_answer: { side: 'S', tier: 2 },
  hand_raised: { side: 'S', tier: 2 },
  host_broadcast: { side: 'T', tier: 3 },
};

export class StInputError extends Error {
  override name = 'StInputError';
}

/**
 * Codes the lesson's span [from, to) in windows of `intervalMs`: N = ⌊(to − from) / interval⌋ samples (a
 * last, shorter window is not sampled).
 */
export function sampleTimeline(
  events: readonly TimelineEvent[],
  span: { from: number; to: number },
  intervalMs: number = DEFAULT_ST_INTERVAL_MS,
): StSample[] {
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) throw new StInputError('the interval must be > 0');
  const n = Math.max(0, Math.floor((span.to - span.from) / intervalMs));
  const samples: StSample[] = [];
  for (let k = 0; k < n; k++) {
    const from = span.from + k * intervalMs;
    samples.push(codeWindow(events, from, from + intervalMs));
  }
  return samples;
}

function codeWindow(events: readonly TimelineEvent[], from: number, to: number): StSample {
  // Evidence per tier and side, in ms.
  const evidence = [0, 0, 0, 0].map(() => ({ S: 0, T: 0 }));
  for (const e of events) {
    const { side, tier } = SIDE[e.kind];
    const ms =
      'at' in e
        ? e.at >= from && e.at < to
          ? POINT_CREDIT_MS
          : 0
        : Math.max(0, Math.min(e.to, to) - Math.max(e.from, from));
    evidence[tier]![side] += ms;
  }
  const cap = to - from;
  for (const tier of [1, 2, 3]) {
    const s = Math.min(evidence[tier]!.S, cap);
    const t = Math.min(evidence[tier]!.T, cap);
    if (s + t > 0) return s >= t ? 'S' : 'T';
  }
  return 'S';
}

/** Rt, Ch, the type and the curve of a coded sequence; null when there is no sample. */
export function analyseSamples(samples: readonly StSample[], intervalMs: number): StResult | null {
  const n = samples.length;
  if (n === 0) return null;
  let nT = 0;
  let runs = 0;
  const curve: StCurvePoint[] = [];
  samples.forEach((sample, i) => {
    if (sample === 'T') nT++;
    if (i === 0 || samples[i - 1] !== sample) runs++;
    curve.push({ n: i + 1, t: nT });
  });
  const rt = nT / n;
  const ch = (runs - 1) / n;
  return { intervalMs, samples: [...samples], n, nT, runs, rt, ch, kind: classify(rt, ch), curve };
}

/** Ratios such as 6 / 20 land on the thresholds exactly; a rounding error must not move them across. */
const EPSILON = 1e-9;

export function classify(rt: number, ch: number): StKind {
  if (rt <= ST_THRESHOLDS.practiceRt + EPSILON) return 'practice';
  if (rt >= ST_THRESHOLDS.lectureRt - EPSILON) return 'lecture';
  if (ch >= ST_THRESHOLDS.dialogueCh - EPSILON) return 'dialogue';
  return 'mixed';
}

/** Samples the timeline and analyses it. */
export function stAnalysis(
  events: readonly TimelineEvent[],
  span: { from: number; to: number },
  intervalMs: number = DEFAULT_ST_INTERVAL_MS,
): StResult | null {
  return analyseSamples(sampleTimeline(events, span, intervalMs), intervalMs);
}
