import { describe, expect, it } from 'vitest';
import { canStart, lessonStatus, OPEN_BEFORE_MS } from '../../src/domain/lessonStatus.ts';
import {
  dayIn,
  endOfDayIn,
  findConflicts,
  resolveInvitation,
  weeklyStarts,
} from '../../src/domain/schedule.ts';
import type { Classroom, Lesson, School } from '../../src/domain/types.ts';
import { zoneOffsetMs } from '@cloudschool/protocol';

const school = (id: string, city: string, province = '四川'): School => ({
  id,
  name: `校${id}`,
  province,
  city,
  district: '区',
  timeZone: 'Asia/Shanghai',
});
const room = (id: string, schoolId: string, kind: 'host' | 'remote' = 'remote'): Classroom => ({
  id,
  schoolId,
  name: `室${id}`,
  kind,
  notes: '',
  code: id.padEnd(6, 'X'),
});
const lesson = (
  id: string,
  startsAt: number,
  endsAt: number,
  rooms: string[],
  extra: Partial<Lesson> = {},
): Lesson => ({
  id,
  title: `课${id}`,
  subject: '数学',
  grade: '六',
  hostClassroomId: 'h',
  hostTeacherId: 't',
  startsAt,
  endsAt,
  invitedClassroomIds: rooms,
  seriesId: null,
  status: 'scheduled',
  startedAt: null,
  endedAt: null,
  createdBy: 'c',
  createdAt: 0,
  updatedAt: 0,
  ...extra,
});

describe('resolveInvitation', () => {
  const schools = [school('s1', '成都'), school('s2', '绵阳'), school('s3', '昆明', '云南')];
  const rooms = [room('h', 's1', 'host'), room('a', 's1'), room('b', 's2'), room('c', 's3'), room('d', 's3')];
  const none = { all: false, classroomIds: [], schoolIds: [], cities: [], provinces: [] };

  it('unions classrooms, schools, cities and provinces, never the host', () => {
    expect(resolveInvitation({ ...none, all: true }, rooms, schools, 'h')).toEqual(['a', 'b', 'c', 'd']);
    expect(resolveInvitation({ ...none, cities: ['绵阳'] }, rooms, schools, 'h')).toEqual(['b']);
    expect(
      resolveInvitation({ ...none, provinces: ['云南'], classroomIds: ['a', 'h'] }, rooms, schools, 'h'),
    ).toEqual(['a', 'c', 'd']);
    expect(resolveInvitation({ ...none, schoolIds: ['s1'] }, rooms, schools, 'h')).toEqual(['a']);
  });
});

describe('findConflicts', () => {
  const rooms = new Map([room('a', 's1'), room('b', 's1'), room('h', 's1', 'host')].map((r) => [r.id, r]));
  const schools = new Map([[`s1`, school('s1', '成都')]]);
  const existing = [lesson('x', 100, 200, ['a']), lesson('gone', 100, 200, ['b'], { status: 'cancelled' })];

  it('reports an overlapping booking of the same classroom, by name and school', () => {
    const conflicts = findConflicts(
      [lesson('new', 150, 250, ['a', 'b'], { hostClassroomId: 'other' })],
      existing,
      rooms,
      schools,
    );
    expect(conflicts).toEqual([
      expect.objectContaining({
        classroomId: 'a',
        classroomName: '室a',
        schoolName: '校s1',
        lessonId: 'x',
        lessonTitle: '课x',
      }),
    ]);
  });

  it('allows back-to-back lessons and ignores cancelled ones and the lesson itself', () => {
    expect(
      findConflicts([lesson('new', 200, 300, ['a'], { hostClassroomId: 'o' })], existing, rooms, schools),
    ).toEqual([]);
    expect(findConflicts([lesson('x', 150, 250, ['a'])], existing, rooms, schools)).toEqual([]);
  });

  it('counts the host classroom as booked', () => {
    const hostBusy = [lesson('y', 0, 1000, ['b'])];
    expect(
      findConflicts([lesson('new', 500, 600, ['a'])], hostBusy, rooms, schools).map((c) => c.classroomId),
    ).toEqual(['h']);
  });
});

describe('time', () => {
  it('computes Asia/Shanghai days and offsets', () => {
    const t = Date.parse('2026-11-28T17:30:00Z'); // 01:30 on the 29th in Shanghai
    expect(zoneOffsetMs(t, 'Asia/Shanghai')).toBe(8 * 3600_000);
    expect(dayIn(t, 'Asia/Shanghai')).toEqual({
      from: Date.parse('2026-11-28T16:00:00Z'),
      to: Date.parse('2026-11-29T16:00:00Z'),
    });
    expect(endOfDayIn('2026-12-31', 'Asia/Shanghai')).toBe(Date.parse('2026-12-31T15:59:59.999Z'));
  });

  it('repeats weekly through the last day, bounded', () => {
    const start = Date.parse('2026-12-01T01:00:00Z');
    expect(
      weeklyStarts(start, endOfDayIn('2026-12-15', 'Asia/Shanghai')).map((t) => new Date(t).toISOString()),
    ).toEqual(['2026-12-01T01:00:00.000Z', '2026-12-08T01:00:00.000Z', '2026-12-15T01:00:00.000Z']);
    expect(weeklyStarts(start, start + 1000 * 7 * 86_400_000)).toHaveLength(60);
  });

  it('derives open, ended and the start window from the clock', () => {
    const l = lesson('l', 10 * OPEN_BEFORE_MS, 20 * OPEN_BEFORE_MS, ['a']);
    expect(lessonStatus(l, 8 * OPEN_BEFORE_MS)).toBe('scheduled');
    expect(canStart(l, 8 * OPEN_BEFORE_MS)).toBe(false);
    expect(lessonStatus(l, 9 * OPEN_BEFORE_MS)).toBe('open');
    expect(canStart(l, 15 * OPEN_BEFORE_MS)).toBe(true);
    expect(lessonStatus(l, 20 * OPEN_BEFORE_MS)).toBe('ended');
    expect(lessonStatus({ ...l, status: 'live' }, 30 * OPEN_BEFORE_MS)).toBe('live');
  });
});
