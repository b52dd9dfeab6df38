/**
 * The S-T analysis: coding of windows from evidence, Rt, Ch and the type on hand-computed sequences, and a
 * seeded property test of its invariants over random timelines (ST_SEED=<n> replays a run; the seed is
 * printed when it fails).
 */
import { describe, expect, it, onTestFailed } from 'vitest';
import {
  analyseSamples,
  classify,
  POINT_CREDIT_MS,
  sampleTimeline,
  stAnalysis,
  StInputError,
} from '../../src/domain/stAnalysis.ts';
import type { StSample, TimelineEvent } from '../../src/domain/stAnalysis.ts';
import { seededRandom as random } from '@cloudschool/testkit';

const S = 1_000;
const seq = (text: string): StSample[] => text.split('').map((c) => (c === 'T' ? 'T' : 'S'));

describe('Rt, Ch and the type of a coded lesson', () => {
  it('counts a hand-coded sequence', () => {
    // T×6 S×2 T×4 S×4 T×2 S T: N = 20, N_T = 13, runs 7 → Rt 0.65, Ch 6/20 = 0.3: mixed.
    const r = analyseSamples(seq('TTTTTTSSTTTTSSSSTTST'), 30 * S)!;
    expect(r).toMatchObject({ n: 20, nT: 13, runs: 7, kind: 'mixed' });
    expect(r.rt).toBeCloseTo(0.65, 12);
    expect(r.ch).toBeCloseTo(0.3, 12);
    expect(r.curve.slice(0, 8)).toEqual([
      { n: 1, t: 1 },
      { n: 2, t: 2 },
      { n: 3, t: 3 },
      { n: 4, t: 4 },
      { n: 5, t: 5 },
      { n: 6, t: 6 },
      { n: 7, t: 6 },
      { n: 8, t: 6 },
    ]);
    expect(r.curve.at(-1)).toEqual({ n: 20, t: 13 });
  });

  it('classifies on the standard thresholds, Rt before Ch, the boundaries included', () => {
    // Rt = 3/10 exactly: practice, although Ch = 6/10.
    expect(analyseSamples(seq('TSTSTSSSSS'), S)!.kind).toBe('practice');
    // Rt = 7/10 exactly: lecture.
    expect(analyseSamples(seq('TTTTTTTSSS'), S)!.kind).toBe('lecture');
    // Rt = 0.5, Ch = 4/10 exactly: dialogue.
    expect(analyseSamples(seq('TTTSSTSSST'), S)).toMatchObject({
      rt: 0.5,
      runs: 5,
      ch: 0.4,
      kind: 'dialogue',
    });
    // Rt = 0.5, Ch = 0.3: mixed.
    expect(analyseSamples(seq('TTTTSSSTSS'), S)).toMatchObject({ runs: 4, kind: 'mixed' });
    expect(classify(0.31, 0.39)).toBe('mixed');
    expect(classify(0.69, 0.4)).toBe('dialogue');
    expect(classify(0, 0)).toBe('practice');
    expect(classify(1, 0)).toBe('lecture');
  });

  it('has no analysis without a sample', () => {
    expect(analyseSamples([], 30 * S)).toBeNull();
    expect(stAnalysis([], { from: 0, to: 29 * S })).toBeNull();
  });
});

describe('coding a window from evidence', () => {
  const span = { from: 0, to: 30 * S };
  const code = (events: TimelineEvent[]): StSample[] => sampleTimeline(events, span, 30 * S);

  it('lets speech decide first: the teacher’s voice against an on-stage classroom, by time, ties to S', () => {
    const voice = (from: number, to: number): TimelineEvent => ({ kind: 'teacher_voice', from, to });
    const stage = (from: number, to: number): TimelineEvent => ({ kind: 'stage_speech', from, to });
    expect(code([voice(0, 20 * S), stage(20 * S, 30 * S)])).toEqual(['T']);
    expect(code([voice(0, 10 * S), stage(10 * S, 30 * S)])).toEqual(['S']);
    expect(code([voice(0, 15 * S), stage(15 * S, 30 * S)])).toEqual(['S']);
    // Speech outranks activity: a classroom speaking while the host writes a lot.
    const strokes: TimelineEvent[] = Array.from({ length: 6 }, (_, i) => ({ kind: 'host_board', at: i * S }));
    expect(code([...strokes, stage(0, 1 * S)])).toEqual(['S']);
  });

  it('weighs activity next: an open quiz by its time, other events POINT_CREDIT_MS each, capped', () => {
    const strokes = (n: number): TimelineEvent[] =>
      Array.from({ length: n }, (_, i) => ({ kind: 'host_board', at: i * S }));
    const quiz: TimelineEvent = { kind: 'quiz_open', from: -60 * S, to: 60 * S };
    // A quiz open the whole window is S whatever the host writes (both sides capped at the window).
    expect(code([quiz, ...strokes(20)])).toEqual(['S']);
    // A question (5 s) against two strokes (10 s): T; against one: a tie, S.
    expect(code([{ kind: 'question', at: 3 * S }, ...strokes(2)])).toEqual(['T']);
    expect(code([{ kind: 'question', at: 3 * S }, ...strokes(1)])).toEqual(['S']);
    expect(
      code([
        { kind: 'hand_raised', at: 0 },
        { kind: 'host_courseware', at: 1 },
      ]),
    ).toEqual(['S']);
    expect(POINT_CREDIT_MS).toBe(5 * S);
  });

  it('takes the host broadcasting as T when nothing else is seen, and nothing at all as S', () => {
    expect(code([{ kind: 'host_broadcast', from: 29 * S, to: 40 * S }])).toEqual(['T']);
    expect(code([])).toEqual(['S']);
    expect(code([{ kind: 'host_broadcast', from: 30 * S, to: 40 * S }])).toEqual(['S']);
  });

  it('samples whole windows only, an instant at a boundary belonging to the later one', () => {
    const events: TimelineEvent[] = [
      { kind: 'host_broadcast', from: 0, to: 100 * S },
      { kind: 'question', at: 30 * S },
    ];
    expect(sampleTimeline(events, { from: 0, to: 89 * S }, 30 * S)).toEqual(['T', 'S']);
    expect(sampleTimeline(events, { from: 0, to: 90 * S }, 30 * S)).toEqual(['T', 'S', 'T']);
    expect(() => sampleTimeline(events, { from: 0, to: 90 * S }, 0)).toThrow(StInputError);
  });
});

const SEED = Number(process.env.ST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = 300;
const INTERVALS = ['teacher_voice', 'stage_speech', 'quiz_open', 'host_broadcast'] as const;
const POINTS = ['host_board', 'host_courseware', 'question', 'quiz_answer', 'hand_raised'] as const;

describe('invariants over random lessons', () => {
  it(`hold for ${RUNS} random timelines (seed ${SEED})`, () => {
    onTestFailed(() => console.error(`S-T property test failed: replay with ST_SEED=${SEED}`));
    const rnd = random(SEED);
    const int = (n: number): number => Math.floor(rnd() * n);
    for (let run = 0; run < RUNS; run++) {
      const from = 1_700_000_000_000 + int(10 ** 9);
      const duration = int(90 * 60 * S);
      const intervalMs = [5, 10, 30, 60, 120][int(5)]! * S;
      const events: TimelineEvent[] = [];
      for (let i = int(60); i > 0; i--) {
        const at = from - 60 * S + int(duration + 120 * S);
        if (rnd() < 0.4) {
          events.push({ kind: INTERVALS[int(INTERVALS.length)]!, from: at, to: at + int(10 * 60 * S) });
        } else {
          events.push({ kind: POINTS[int(POINTS.length)]!, at });
        }
      }
      const span = { from, to: from + duration };
      const where = `run ${run}`;
      const samples = sampleTimeline(events, span, intervalMs);
      const n = Math.floor(duration / intervalMs);
      expect(samples.length, where).toBe(n);
      const r = analyseSamples(samples, intervalMs);
      if (n === 0) {
        expect(r, where).toBeNull();
        continue;
      }
      if (!r) throw new Error(`${where}: no result`);
      expect(r.rt, where).toBeGreaterThanOrEqual(0);
      expect(r.rt, where).toBeLessThanOrEqual(1);
      expect(r.ch, where).toBeGreaterThanOrEqual(0);
      expect(r.ch, where).toBeLessThan(1);
      expect(r.runs, where).toBeGreaterThanOrEqual(1);
      expect(r.runs, where).toBeLessThanOrEqual(n);
      // Runs alternate: at most twice the rarer side's samples, plus one.
      expect(r.runs, where).toBeLessThanOrEqual(2 * Math.min(r.nT, n - r.nT) + 1);
      expect(r.kind, where).toBe(classify(r.rt, r.ch));
      // The curve climbs by at most one T per sample and ends at (N, N_T).
      r.curve.forEach((p, i) => {
        expect(p.n, where).toBe(i + 1);
        expect(p.t - (r.curve[i - 1]?.t ?? 0), where).toBe(samples[i] === 'T' ? 1 : 0);
      });
      expect(r.curve.at(-1), where).toEqual({ n, t: r.nT });
      // Neither the order of the events nor the clock's origin changes the coding.
      const shuffled = [...events].sort(() => rnd() - 0.5);
      expect(sampleTimeline(shuffled, span, intervalMs), where).toEqual(samples);
      const shift = int(10 ** 8);
      const shifted = events.map((e) =>
        'at' in e ? { ...e, at: e.at + shift } : { ...e, from: e.from + shift, to: e.to + shift },
      );
      expect(sampleTimeline(shifted, { from: from + shift, to: span.to + shift }, intervalMs), where).toEqual(
        samples,
      );
      // A classroom on stage speaking throughout makes every sample S, unless the teacher's voice outweighs it.
      if (!events.some((e) => e.kind === 'teacher_voice')) {
        const all = analyseSamples(
          sampleTimeline([...events, { kind: 'stage_speech', from, to: span.to }], span, intervalMs),
          intervalMs,
        )!;
        expect(all, where).toMatchObject({ nT: 0, runs: 1, rt: 0, ch: 0, kind: 'practice' });
      }
    }
  });
});
