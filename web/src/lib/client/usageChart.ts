/**
 * Geometry of the usage page's chart (signaling/src/domain/usage.ts computes the figures): one column per
 * week (the groups' totals) or, over a term, one per group; each column a bar of the classroom-lessons there
 * should have been and, over it, the ones attended. Pure: SVG coordinates in a `width` × `height` plot.
 */
import type { UsageReport, UsageRow } from '@cloudschool/protocol';

/** Columns one chart shows at most: the first ones in the table's order (the table shows them all). */
export const MAX_COLUMNS = 40;

export interface UsageColumn {
  label: string;
  /** Classroom-lessons of held lessons. */
  expected: number;
  attended: number;
}

export function usageColumns(report: Pick<UsageReport, 'period' | 'periods' | 'rows'>): UsageColumn[] {
  if (report.period === 'term') {
    return report.rows.slice(0, MAX_COLUMNS).map((row: UsageRow) => ({
      label: row.groupName,
      expected: row.classroomLessons,
      attended: row.attended,
    }));
  }
  return report.periods.slice(0, MAX_COLUMNS).map((period) => {
    const rows = report.rows.filter((row) => row.period === period);
    return {
      label: period.slice(5),
      expected: rows.reduce((sum, row) => sum + row.classroomLessons, 0),
      attended: rows.reduce((sum, row) => sum + row.attended, 0),
    };
  });
}

export interface Bar {
  x: number;
  width: number;
  /** Top of the expected bar and of the attended bar (y grows downwards in SVG). */
  expectedY: number;
  attendedY: number;
}

/** The bars of the columns, side by side with a gap of a quarter bar, scaled to the largest column. */
export function usageBars(columns: readonly UsageColumn[], width: number, height: number): Bar[] {
  const max = Math.max(1, ...columns.map((c) => c.expected));
  const step = columns.length === 0 ? 0 : width / columns.length;
  const bar = step * 0.8;
  const y = (value: number): number => round(height - (value / max) * height);
  return columns.map((c, i) => ({
    x: round(i * step + (step - bar) / 2),
    width: round(bar),
    expectedY: y(c.expected),
    attendedY: y(c.attended),
  }));
}

const round = (v: number): number => Math.round(v * 10) / 10;
