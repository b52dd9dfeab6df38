import { describe, expect, it } from 'vitest';
import type { LessonView } from '@cloudschool/protocol';
import { layoutDay, layoutWeek, visibleHours } from './calendar.ts';
import { weekDays } from './time.ts';

function lesson(id: string, startsAt: string, endsAt: string): LessonView {
  return {
    id,
    title: id,
    subject: '数学',
    grade: '三年级',
    hostClassroomId: 'c1',
    hostTeacherId: 't1',
    startsAt,
    endsAt,
    invitedClassroomIds: [],
    seriesId: null,
    status: 'scheduled',
    timeZone: 'Asia/Shanghai',
    hostClassroomName: '录播教室',
    hostSchoolName: '一中',
    hostTeacherName: '王老师',
    recordAutomatically: false,
  };
}

describe('layoutDay', () => {
  it('keeps lessons that do not overlap full width', () => {
    const placed = layoutDay([
      { item: 'a', start: 480, end: 525 },
      { item: 'b', start: 525, end: 570 },
    ]);
    expect(placed.map((p) => [p.item, p.lane, p.lanes])).toEqual([
      ['a', 0, 1],
      ['b', 0, 1],
    ]);
  });

  it('puts overlapping lessons side by side and reuses a freed lane', () => {
    const placed = layoutDay([
      { item: 'a', start: 480, end: 600 },
      { item: 'b', start: 490, end: 530 },
      { item: 'c', start: 540, end: 560 },
      { item: 'd', start: 700, end: 745 },
    ]);
    expect(placed.map((p) => [p.item, p.lane, p.lanes])).toEqual([
      ['a', 0, 2],
      ['b', 1, 2],
      ['c', 1, 2],
      ['d', 0, 1],
    ]);
  });
});

describe('layoutWeek', () => {
  it('places lessons on their Shanghai day and hour', () => {
    const days = weekDays('2026-11-23');
    const week = layoutWeek(
      [
        lesson('mon', '2026-11-23T00:00:00Z', '2026-11-23T00:45:00Z'),
        // 01:30 on Sunday in Shanghai, Saturday in UTC.
        lesson('sun', '2026-11-28T17:30:00Z', '2026-11-28T18:15:00Z'),
        lesson('next-week', '2026-11-30T02:00:00Z', '2026-11-30T02:45:00Z'),
      ],
      days,
      'Asia/Shanghai',
    );
    expect(week.get('2026-11-23')?.map((p) => [p.item.id, p.start, p.end])).toEqual([['mon', 480, 525]]);
    expect(week.get('2026-11-29')?.map((p) => [p.item.id, p.start, p.end])).toEqual([['sun', 90, 135]]);
    expect([...week.values()].flat()).toHaveLength(2);
    expect(visibleHours(week.values())).toEqual([1, 21]);
  });

  it('draws a lesson across midnight on its first day, up to midnight', () => {
    const days = weekDays('2026-11-23');
    // Tuesday 23:30 to Wednesday 00:30 in Shanghai.
    const week = layoutWeek(
      [lesson('late', '2026-11-24T15:30:00Z', '2026-11-24T16:30:00Z')],
      days,
      'Asia/Shanghai',
    );
    expect(week.get('2026-11-24')?.map((p) => [p.item.id, p.start, p.end])).toEqual([['late', 1410, 1440]]);
    expect(week.get('2026-11-25')).toEqual([]);
    expect(visibleHours(week.values())).toEqual([7, 24]);
  });
});
