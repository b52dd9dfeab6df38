import { describe, expect, it } from 'vitest';
import type { WallCell, WallLesson } from '@cloudschool/protocol';
import { directory } from './roster.ts';
import { classrooms, schools } from './testFixtures.ts';
import {
  alertRows,
  applyWall,
  cellGroups,
  cellLook,
  countiesOf,
  DARK_SHOWN_MS,
  NO_FILTER,
  wallOrder,
  wallTotals,
} from './wall.ts';

const NOW = 1_800_000_000_000;
const dir = directory(schools, classrooms, [
  { id: 't1', username: 'wang', displayName: '王老师', role: 'teacher', disabled: false } as never,
]);

function cell(classroomId: string, more: Partial<WallCell> = {}): WallCell {
  return {
    classroomId,
    presence: 'connected',
    quality: 'good',
    darkSince: null,
    poorSince: null,
    onStage: false,
    hand: false,
    alert: null,
    readiness: null,
    ...more,
  };
}

function lesson(lessonId: string, more: Partial<WallLesson> = {}): WallLesson {
  return {
    lessonId,
    title: '数学',
    hostTeacherId: 't1',
    startsAt: NOW - 60_000,
    endsAt: NOW + 3_600_000,
    status: 'live',
    host: { connected: true, live: true, quality: 'good' },
    recording: 'off',
    classrooms: [cell('c2'), cell('c3', { presence: 'absent', quality: 'unknown' }), cell('c4')],
    alerts: [],
    at: NOW,
    ...more,
  };
}

describe('the wall in the browser', () => {
  it('shows a cell dark only after 10 s without a picture, else its presence or level', () => {
    expect(cellLook(cell('c2', { darkSince: NOW - DARK_SHOWN_MS + 1 }), NOW)).toBe('good');
    expect(cellLook(cell('c2', { darkSince: NOW - DARK_SHOWN_MS }), NOW)).toBe('dark');
    expect(cellLook(cell('c2', { presence: 'absent' }), NOW)).toBe('absent');
    expect(cellLook(cell('c2', { presence: 'waiting' }), NOW)).toBe('waiting');
    expect(cellLook(cell('c2', { quality: 'poor' }), NOW)).toBe('poor');
    const failures = [{ check: 'camera' as const, reason: 'not_found' as const }];
    expect(
      cellLook(cell('c2', { presence: 'waiting', readiness: { state: 'not_ready', failures } }), NOW),
    ).toBe('not_ready');
    expect(
      cellLook(cell('c2', { presence: 'waiting', readiness: { state: 'ready', failures: [] } }), NOW),
    ).toBe('ready');
    expect(
      cellLook(cell('c2', { presence: 'waiting', readiness: { state: 'checking', failures: [] } }), NOW),
    ).toBe('waiting');
  });

  it('applies a snapshot (everything) and updates (changed and gone lessons)', () => {
    const a = lesson('a');
    const b = lesson('b');
    let wall = applyWall(new Map(), { lessons: [a, b], serverTime: NOW });
    expect([...wall.keys()]).toEqual(['a', 'b']);
    const a2 = lesson('a', { title: '语文' });
    wall = applyWall(wall, { lessons: [a2], patches: [], gone: ['b'], serverTime: NOW });
    expect([...wall.values()]).toEqual([a2]);
    const { classrooms: _all, ...head } = a2;
    const hand = { ...a2.classrooms[1]!, presence: 'connected' as const, hand: true };
    wall = applyWall(wall, {
      lessons: [],
      patches: [{ lessonId: 'a', head: { ...head, recording: 'recording' }, cells: [hand] }],
      gone: [],
      serverTime: NOW,
    });
    expect(wall.get('a')).toEqual({
      ...a2,
      recording: 'recording',
      classrooms: [a2.classrooms[0], hand, a2.classrooms[2]],
    });
    wall = applyWall(wall, { lessons: [b], serverTime: NOW });
    expect([...wall.keys()]).toEqual(['b']);
  });

  it('counts lessons live, classrooms connected of invited, and those in trouble', () => {
    const troubled = lesson('a', {
      classrooms: [
        cell('c2', { quality: 'bad' }),
        cell('c3', { presence: 'absent', alert: { kind: 'absent', since: NOW - 60_000 } }),
        cell('c4'),
      ],
    });
    expect(wallTotals([troubled, lesson('b', { status: 'open' })], NOW)).toEqual({
      live: 1,
      connected: 4,
      invited: 6,
      trouble: 2,
    });
  });

  it('groups a lesson’s cells by place and school, and filters by place, text and trouble', () => {
    const l = lesson('a', { classrooms: [cell('c4'), cell('c2', { quality: 'poor' }), cell('c3')] });
    expect(cellGroups(l, dir, NO_FILTER, NOW)?.map((g) => [g.place, g.school, g.cells.length])).toEqual([
      ['贵州省 贵阳市 云岩区', '希望中学', 1],
      ['四川省 成都市 武侯区', '实验小学', 1],
      ['四川省 绵阳市 涪城区', '阳光小学', 1],
    ]);
    const only = (filter: Partial<typeof NO_FILTER>) =>
      cellGroups(l, dir, { ...NO_FILTER, ...filter }, NOW)?.flatMap((g) =>
        g.cells.map((c) => c.classroomId),
      ) ?? null;
    expect(only({ province: '四川省' })).toEqual(['c2', 'c3']);
    expect(only({ county: '涪城区' })).toEqual(['c3']);
    expect(only({ text: '希望' })).toEqual(['c4']);
    expect(only({ text: '王老师' })).toHaveLength(3);
    expect(only({ troubleOnly: true })).toEqual(['c2']);
    expect(only({ text: '没有这个' })).toBeNull();
    expect(countiesOf(schools, '四川省', '')).toEqual(['涪城区', '武侯区']);
  });

  it('lists alerts: the lessons’ own first, then the longest standing; live lessons first', () => {
    const a = lesson('a', {
      classrooms: [
        cell('c2', { quality: 'poor', alert: { kind: 'poor', since: NOW - 120_000 } }),
        cell('c3', { presence: 'absent', alert: { kind: 'absent', since: NOW - 60_000 } }),
      ],
    });
    const b = lesson('b', {
      status: 'open',
      startsAt: NOW - 120_000,
      alerts: [{ kind: 'host_offline', since: NOW - 10_000 }],
    });
    expect(alertRows([a, b]).map((r) => `${r.lesson.lessonId}:${r.alert.kind}`)).toEqual([
      'b:host_offline',
      'a:absent',
      'a:poor',
    ]);
    expect(wallOrder([b, a]).map((l) => l.lessonId)).toEqual(['a', 'b']);
  });
});
