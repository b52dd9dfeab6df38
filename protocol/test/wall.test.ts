import { describe, expect, it } from 'vitest';
import { diffWallLesson, isWallPatch, patchWallLesson, wallLesson, wallPatch } from '../src/wall.ts';
import type { WallCell, WallLesson } from '../src/wall.ts';

const cell = (classroomId: string, more: Partial<WallCell> = {}): WallCell => ({
  classroomId,
  presence: 'absent',
  quality: 'unknown',
  darkSince: null,
  poorSince: null,
  onStage: false,
  hand: false,
  alert: null,
  readiness: null,
  ...more,
});

const lesson: WallLesson = {
  lessonId: 'l1',
  title: '数学',
  hostTeacherId: 't1',
  startsAt: 1_000,
  endsAt: 2_000,
  status: 'live',
  host: { connected: true, live: true, quality: 'good' },
  recording: 'off',
  classrooms: [cell('c1'), cell('c2'), cell('c3', { alert: { kind: 'absent', since: 1_000 } })],
  alerts: [{ kind: 'host_offline', since: 1_200 }],
  at: 1_500,
};

describe('wall changes', () => {
  it('is nothing when only the time moved', () => {
    expect(
      diffWallLesson(lesson, { ...lesson, at: 1_600, classrooms: lesson.classrooms.map((c) => ({ ...c })) }),
    ).toBeNull();
  });

  it('carries the changed cells and the head, and patches back to the same lesson', () => {
    const ready = {
      state: 'not_ready' as const,
      failures: [{ check: 'camera' as const, reason: 'black' as const }],
    };
    const next: WallLesson = {
      ...lesson,
      at: 1_700,
      classrooms: [cell('c1'), cell('c2', { presence: 'waiting', readiness: ready }), cell('c3')],
      alerts: [],
    };
    const change = diffWallLesson(lesson, next);
    expect(change !== null && isWallPatch(change)).toBe(true);
    if (!change || !isWallPatch(change)) return;
    // c2's readiness and c3's alert changed.
    expect(change.cells.map((c) => c.classroomId)).toEqual(['c2', 'c3']);
    expect(wallPatch.parse(change)).toEqual(change);
    expect(patchWallLesson(lesson, change)).toEqual(next);
    // A readiness that changed only in its reason is a change too.
    const other = {
      ...next,
      classrooms: [
        cell('c1'),
        cell('c2', {
          presence: 'waiting',
          readiness: { ...ready, failures: [{ check: 'camera', reason: 'frozen' }] },
        }),
        cell('c3'),
      ],
    };
    expect(diffWallLesson(next, other as WallLesson)).not.toBeNull();
    // So is an alert that changed only in its start.
    const later = {
      ...lesson,
      classrooms: [cell('c1'), cell('c2'), cell('c3', { alert: { kind: 'absent', since: 1_001 } })],
    };
    expect(diffWallLesson(lesson, later)).not.toBeNull();
  });

  it('goes whole when the invitation changed', () => {
    const next = { ...lesson, classrooms: [cell('c1'), cell('c4')] };
    expect(diffWallLesson(lesson, next)).toBe(next);
  });

  it('is refused across nodes when malformed', () => {
    expect(wallLesson.safeParse({ ...lesson, status: 'ended' }).success).toBe(false);
    const okIsNoFailure = { state: 'ready', failures: [{ check: 'camera', reason: 'ok' }] };
    expect(
      wallLesson.safeParse({ ...lesson, classrooms: [{ ...cell('c1'), readiness: okIsNoFailure }] }).success,
    ).toBe(false);
    expect(wallLesson.safeParse({ ...lesson, alerts: [{ kind: 'absent', since: 1 }] }).success).toBe(false);
    expect(wallLesson.safeParse(lesson).success).toBe(true);
  });
});
