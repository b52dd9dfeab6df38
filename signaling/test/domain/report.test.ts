import { describe, expect, it } from 'vitest';
import { classroomCalendar } from '../../src/domain/ical.ts';
import { attendanceReport, presence } from '../../src/domain/report.ts';
import type { AttendanceEvent, Classroom, Lesson } from '../../src/domain/types.ts';

const MIN = 60_000;
const ev = (classroomId: string, kind: 'join' | 'leave', minute: number): AttendanceEvent => ({
  lessonId: 'l',
  classroomId,
  kind,
  at: minute * MIN,
});

describe('presence', () => {
  it('counts a classroom present while any of its connections is open, clipped to the lesson', () => {
    const p = presence(
      [
        ev('a', 'join', -5),
        ev('a', 'join', 10),
        ev('a', 'leave', 12),
        ev('a', 'leave', 20),
        ev('b', 'join', 30),
      ],
      { from: 0, to: 40 * MIN },
    );
    expect(p.get('a')).toEqual({ firstJoin: -5 * MIN, lastLeave: 20 * MIN, presentMs: 20 * MIN });
    expect(p.get('b')?.presentMs).toBe(10 * MIN);
  });
});

describe('attendanceReport', () => {
  const lesson: Lesson = {
    id: 'l',
    title: '数学',
    subject: '数学',
    grade: '六',
    hostClassroomId: 'h',
    hostTeacherId: 't',
    startsAt: 0,
    endsAt: 45 * MIN,
    invitedClassroomIds: ['a', 'b', 'c'],
    seriesId: null,
    status: 'ended',
    startedAt: 2 * MIN,
    endedAt: 42 * MIN,
    createdBy: 'c',
    createdAt: 0,
    updatedAt: 0,
  };
  const rooms = new Map<string, Classroom>(
    ['a', 'b', 'c'].map((id) => [
      id,
      { id, schoolId: 's', name: `班${id}`, kind: 'remote', notes: '', code: 'AAAAAA' },
    ]),
  );
  const schools = new Map([
    ['s', { id: 's', name: '一中', province: '', city: '', district: '', timeZone: 'Asia/Shanghai' }],
  ]);

  it('gives minutes, on time / late / absent per invited classroom', () => {
    const rows = attendanceReport(
      lesson,
      [ev('a', 'join', 1), ev('a', 'leave', 41), ev('b', 'join', 10)],
      rooms,
      schools,
      60 * MIN,
    );
    expect(rows.map((r) => [r.classroomName, r.schoolName, r.minutesPresent, r.attendance])).toEqual([
      ['班a', '一中', 39, 'on_time'],
      ['班b', '一中', 32, 'late'],
      ['班c', '一中', 0, 'absent'],
    ]);
  });
});

describe('classroomCalendar', () => {
  it('writes one VEVENT per lesson with escaped text and UTC times', () => {
    const ics = classroomCalendar(
      '六年级, 一班',
      [{ ...lessonFixture(), title: '数学; 复习' }],
      () => 'https://x/join',
    );
    expect(ics).toContain('X-WR-CALNAME:六年级\\, 一班\r\n');
    expect(ics).toContain('DTSTART:20261201T010000Z\r\n');
    expect(ics).toContain('SUMMARY:数学\\; 复习（数学·六）\r\n');
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(1);
  });
});

function lessonFixture(): Lesson {
  return {
    id: 'l1',
    title: '数学',
    subject: '数学',
    grade: '六',
    hostClassroomId: 'h',
    hostTeacherId: 't',
    startsAt: Date.parse('2026-12-01T01:00:00Z'),
    endsAt: Date.parse('2026-12-01T01:45:00Z'),
    invitedClassroomIds: [],
    seriesId: null,
    status: 'scheduled',
    startedAt: null,
    endedAt: null,
    createdBy: 'c',
    createdAt: 0,
    updatedAt: 0,
  };
}
