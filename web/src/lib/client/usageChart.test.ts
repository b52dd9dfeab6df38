import { describe, expect, it } from 'vitest';
import type { UsageRow } from '@cloudschool/protocol';
import { MAX_COLUMNS, usageBars, usageColumns } from './usageChart.ts';

const row = (period: string, groupName: string, classroomLessons: number, attended: number): UsageRow => ({
  period,
  groupId: groupName,
  groupName,
  groupParent: '',
  lessonsScheduled: 1,
  lessonsHeld: 1,
  classroomLessons,
  attended,
  onTime: attended,
  classroomMinutes: 0,
  qualityMinutes: 0,
  questions: 0,
  quizChances: 0,
  quizAnswers: 0,
  attendanceRate: null,
  punctuality: null,
  quality: null,
  quizParticipation: null,
});

describe('usage chart', () => {
  it('by week: one column per week, the groups added, empty weeks kept', () => {
    const columns = usageColumns({
      period: 'week',
      periods: ['2026-11-02', '2026-11-09', '2026-11-16'],
      rows: [row('2026-11-02', '甲', 4, 3), row('2026-11-02', '乙', 2, 2), row('2026-11-16', '甲', 1, 0)],
    });
    expect(columns).toEqual([
      { label: '11-02', expected: 6, attended: 5 },
      { label: '11-09', expected: 0, attended: 0 },
      { label: '11-16', expected: 1, attended: 0 },
    ]);
  });

  it('over a term: one column per group, at most MAX_COLUMNS', () => {
    const rows = Array.from({ length: MAX_COLUMNS + 5 }, (_, i) => row('2026-09-01', `校${i}`, 2, 1));
    const columns = usageColumns({ period: 'term', periods: ['2026-09-01'], rows });
    expect(columns).toHaveLength(MAX_COLUMNS);
    expect(columns[0]).toEqual({ label: '校0', expected: 2, attended: 1 });
  });

  it('scales bars to the largest column', () => {
    // Two columns in 200 × 100: steps of 100, bars of 80 centred; 6 is the top, 5 is 5/6 of it.
    expect(
      usageBars(
        [
          { label: 'a', expected: 6, attended: 5 },
          { label: 'b', expected: 3, attended: 0 },
        ],
        200,
        100,
      ),
    ).toEqual([
      { x: 10, width: 80, expectedY: 0, attendedY: 16.7 },
      { x: 110, width: 80, expectedY: 50, attendedY: 100 },
    ]);
    expect(usageBars([{ label: 'a', expected: 0, attended: 0 }], 100, 100)).toEqual([
      { x: 10, width: 80, expectedY: 100, attendedY: 100 },
    ]);
  });
});
