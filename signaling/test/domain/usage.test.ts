/** The pure usage rules the HTTP test's fixture term does not reach (usage.integration.test.ts has the term). */
import { describe, expect, it } from 'vitest';
import { periodsOf, usage } from '../../src/domain/usage.ts';
import type { LessonRecords, UsageInput } from '../../src/domain/usage.ts';
import type { Lesson } from '../../src/domain/types.ts';

const MIN = 60_000;
/** 2026-11-02 09:00 in Beijing. */
const T0 = Date.parse('2026-11-02T09:00:00+08:00');

const lesson = (over: Partial<Lesson>): Lesson => ({
  id: 'l',
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
  startedAt: T0,
  endedAt: null,
  createdBy: 'c',
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

const records = (l: Lesson, over: Partial<LessonRecords> = {}): LessonRecords => ({
  lesson: l,
  attendance: [],
  quality: [],
  questions: [],
  quizzes: [],
  answers: [],
  ...over,
});

const input = (lessons: LessonRecords[], over: Partial<UsageInput> = {}): UsageInput => ({
  from: '2026-11-02',
  to: '2026-11-08',
  group: 'school',
  period: 'week',
  timeZone: 'Asia/Shanghai',
  lessons,
  classrooms: [{ id: 'a', schoolId: 's', name: '六1班', kind: 'remote', notes: '', code: 'A1' }],
  schools: [
    {
      id: 's',
      name: '小学',
      province: '重庆',
      city: '重庆市',
      district: '渝北区',
      timeZone: 'Asia/Shanghai',
    },
  ],
  teachers: [{ id: 't', displayName: '王老师' }],
  now: T0 + 15 * MIN,
  ...over,
});

describe('usage', () => {
  it('counts a live lesson up to now', () => {
    const live = records(lesson({}), {
      attendance: [{ lessonId: 'l', classroomId: 'a', kind: 'join', at: T0 }],
    });
    const [row] = usage(input([live])).rows;
    // Present from 09:00 to now, 09:15: 15 minutes so far.
    expect(row).toMatchObject({ lessonsHeld: 1, attended: 1, onTime: 1, classroomMinutes: 15 });
  });

  it('leaves a classroom gone from the roster out of its school, not out of its teacher', () => {
    const l = records(
      lesson({ invitedClassroomIds: ['a', 'gone'], status: 'ended', endedAt: T0 + 40 * MIN }),
    );
    const school = usage(input([l])).rows;
    expect(school.map((r) => [r.groupName, r.classroomLessons])).toEqual([['小学', 1]]);
    const teacher = usage(input([l], { group: 'teacher' })).rows;
    expect(teacher.map((r) => [r.groupName, r.classroomLessons, r.attendanceRate])).toEqual([
      ['王老师', 2, 0],
    ]);
  });

  it('counts a teacher’s lesson that invited nobody as scheduled and held', () => {
    const l = records(lesson({ invitedClassroomIds: [] }));
    expect(usage(input([l], { group: 'teacher', period: 'term' })).rows).toMatchObject([
      {
        period: '2026-11-02',
        groupId: 't',
        lessonsScheduled: 1,
        lessonsHeld: 1,
        classroomLessons: 0,
        attendanceRate: null,
      },
    ]);
  });
});

describe('periodsOf', () => {
  it('weeks from the Monday of the first day, across a new year; a term is its first day', () => {
    expect(periodsOf('2026-12-30', '2027-01-11', 'week')).toEqual(['2026-12-28', '2027-01-04', '2027-01-11']);
    expect(periodsOf('2026-12-30', '2027-01-11', 'term')).toEqual(['2026-12-30']);
  });
});
