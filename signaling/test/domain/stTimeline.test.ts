import { describe, expect, it } from 'vitest';
import { recordedTimeline } from '../../src/domain/stTimeline.ts';
import type { Lesson, Quiz } from '../../src/domain/types.ts';

const T0 = Date.UTC(2026, 8, 1, 0, 0);
const MIN = 60_000;
const lesson: Lesson = {
  id: 'l1',
  title: '数学',
  subject: '数学',
  grade: '六年级',
  hostClassroomId: 'h',
  hostTeacherId: 't',
  startsAt: T0,
  endsAt: T0 + 40 * MIN,
  invitedClassroomIds: ['a'],
  seriesId: null,
  status: 'live',
  startedAt: T0 + MIN,
  endedAt: null,
  createdBy: 'c',
  createdAt: T0 - MIN,
  updatedAt: T0 - MIN,
};
const quiz = (id: string, closesAt: number | null, closedAt: number | null): Quiz => ({
  id,
  lessonId: 'l1',
  question: '?',
  kind: 'single',
  options: ['a', 'b'],
  startedAt: T0 + 2 * MIN,
  closesAt,
  closedAt,
  revealed: false,
});
const none = { questions: [], quizzes: [], answers: [], boardOps: [], boardSnapshotSeq: 0 };

describe('the recorded timeline of a lesson', () => {
  it('is none before the lesson starts', () => {
    expect(recordedTimeline({ ...lesson, startedAt: null }, none, T0 + 5 * MIN)).toBeNull();
  });

  it('runs from the start to the end, to now while it runs, never past its scheduled end', () => {
    expect(recordedTimeline(lesson, none, T0 + 5 * MIN)?.span).toEqual({ from: T0 + MIN, to: T0 + 5 * MIN });
    expect(recordedTimeline(lesson, none, T0 + 90 * MIN)?.span).toEqual({
      from: T0 + MIN,
      to: T0 + 40 * MIN,
    });
    const ended = { ...lesson, status: 'ended' as const, endedAt: T0 + 30 * MIN };
    expect(recordedTimeline(ended, none, T0 + 90 * MIN)?.span.to).toBe(T0 + 30 * MIN);
    // The host is taken as broadcasting over the whole span, and nothing else is invented.
    expect(recordedTimeline(ended, none, T0 + 90 * MIN)?.events).toEqual([
      { kind: 'host_broadcast', from: T0 + MIN, to: T0 + 30 * MIN },
    ]);
  });

  it('keeps a quiz open until it closed, else until its timer, else until the span ends', () => {
    const t = recordedTimeline(
      lesson,
      {
        ...none,
        quizzes: [
          quiz('a', T0 + 4 * MIN, T0 + 3 * MIN),
          quiz('b', T0 + 4 * MIN, null),
          quiz('c', null, null),
        ],
      },
      T0 + 10 * MIN,
    )!;
    expect(t.events.filter((e) => e.kind === 'quiz_open').map((e) => ('to' in e ? e.to : null))).toEqual([
      T0 + 3 * MIN,
      T0 + 4 * MIN,
      T0 + 10 * MIN,
    ]);
  });

  it('says when board operations lost their times in a snapshot', () => {
    expect(recordedTimeline(lesson, none, T0 + 5 * MIN)?.boardComplete).toBe(true);
    expect(recordedTimeline(lesson, { ...none, boardSnapshotSeq: 200 }, T0 + 5 * MIN)?.boardComplete).toBe(
      false,
    );
  });
});
