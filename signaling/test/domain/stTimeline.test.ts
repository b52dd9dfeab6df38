import { describe, expect, it } from 'vitest';
import { recordedTimeline } from '../../src/domain/stTimeline.ts';
import type { BoardOp } from '@cloudschool/board';
import type { Lesson, LessonEvent, Quiz } from '../../src/domain/types.ts';

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
const none = { questions: [], quizzes: [], answers: [], events: [], boardOps: [], boardSnapshotSeq: 0 };
const op = (seq: number, at: number): BoardOp => ({
  seq,
  at,
  by: 'host',
  op: { type: 'page:turn', pageId: 'p1' },
});

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

  it('reads the board from its kept history, and says when a compaction before it lost operations', () => {
    expect(recordedTimeline(lesson, none, T0 + 5 * MIN)?.boardComplete).toBe(true);
    // Compacted (snapshot at 200) but kept from the first operation: every time is there.
    const kept = recordedTimeline(
      lesson,
      { ...none, boardOps: [op(1, T0 + 2 * MIN), op(2, T0 + 3 * MIN)], boardSnapshotSeq: 200 },
      T0 + 5 * MIN,
    )!;
    expect(kept.boardComplete).toBe(true);
    expect(kept.evidence.host_courseware).toBe(2);
    // History starting after 1 under a snapshot: the first operations were compacted before it was kept.
    expect(
      recordedTimeline(
        lesson,
        { ...none, boardOps: [op(201, T0 + 2 * MIN)], boardSnapshotSeq: 200 },
        T0 + 5 * MIN,
      )?.boardComplete,
    ).toBe(false);
    expect(recordedTimeline(lesson, { ...none, boardSnapshotSeq: 200 }, T0 + 5 * MIN)?.boardComplete).toBe(
      false,
    );
  });

  it('counts raised hands from the lesson event log as students', () => {
    const event = (kind: LessonEvent['kind'], at: number): LessonEvent => ({
      lessonId: 'l1',
      at,
      kind,
      subject: 'a',
      value: null,
    });
    const t = recordedTimeline(
      lesson,
      {
        ...none,
        events: [
          event('hand:up', T0 + 2 * MIN),
          event('hand:down', T0 + 3 * MIN),
          event('stage:on', T0 + 4 * MIN),
        ],
      },
      T0 + 5 * MIN,
    )!;
    expect(t.events.filter((e) => e.kind === 'hand_raised')).toEqual([
      { kind: 'hand_raised', at: T0 + 2 * MIN },
    ]);
    expect(t.evidence.hand_raised).toBe(1);
    expect(t.notRecorded).toEqual(['teacher_voice', 'stage_speech']);
  });
});
