/**
 * CSV roster import: one row per classroom, with its school. Parsing and
 * planning are pure; the whole plan is written in one atomic store call, so
 * a file with a bad row imports nothing.
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { CsvLineError, ImportResult } from '@cloudschool/protocol';
import { uniqueCode } from './codes.ts';
import type { Classroom, ClassroomKind, School } from './types.ts';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
export const MAX_ROSTER_ROWS = 20_000;

const COLUMNS = ['school', 'province', 'city', 'district', 'classroom', 'kind', 'notes'] as const;
type Column = (typeof COLUMNS)[number];
const CHINESE: Record<string, Column> = {
  学校: 'school',
  省: 'province',
  省份: 'province',
  市: 'city',
  城市: 'city',
  区县: 'district',
  区: 'district',
  教室: 'classroom',
  班级: 'classroom',
  类型: 'kind',
  备注: 'notes',
};
/** CSV problems are shown to coordinators as they are: in Chinese, naming the column as the template does. */
const LABEL: Record<Column, string> = {
  school: '学校',
  province: '省',
  city: '市',
  district: '区县',
  classroom: '教室',
  kind: '类型',
  notes: '备注',
};
const KINDS: Record<string, ClassroomKind> = { host: 'host', remote: 'remote', 主讲: 'host', 听课: 'remote' };
const LIMITS: Record<Column, number> = {
  school: 100,
  province: 30,
  city: 30,
  district: 30,
  classroom: 60,
  kind: 10,
  notes: 500,
};

export interface RosterRow {
  line: number;
  school: string;
  province: string;
  city: string;
  district: string;
  classroom: string;
  kind: ClassroomKind;
  notes: string;
}

export type ParseResult =
  { ok: true; rows: RosterRow[] } | { ok: false; message: string; lines: CsvLineError[] };

export function parseRosterCsv(text: string): ParseResult {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (error) {
    const line = typeof error === 'object' && error !== null && 'lines' in error ? Number(error.lines) : 1;
    return { ok: false, message: '文件不是有效的 CSV', lines: [{ line, message: String(error) }] };
  }
  const [header, ...body] = records;
  if (!header)
    return { ok: false, message: 'the file is empty', lines: [{ line: 1, message: 'no header row' }] };
  const index = new Map<Column, number>();
  header.forEach((name, i) => {
    const key = name.toLowerCase();
    const column = (COLUMNS as readonly string[]).includes(key) ? (key as Column) : CHINESE[name];
    if (column) index.set(column, i);
  });
  const missing = COLUMNS.filter((c) => c !== 'notes' && !index.has(c));
  if (missing.length > 0) {
    return {
      ok: false,
      message: `缺少列：${missing.map((c) => `${LABEL[c]}(${c})`).join('、')}`,
      lines: [
        {
          line: 1,
          message: `表头需包含：${COLUMNS.map((c) => LABEL[c]).join(',')}（或 ${COLUMNS.join(',')}）`,
        },
      ],
    };
  }
  if (body.length > MAX_ROSTER_ROWS) {
    return { ok: false, message: `每个文件最多 ${MAX_ROSTER_ROWS} 行`, lines: [] };
  }

  const rows: RosterRow[] = [];
  const lines: CsvLineError[] = [];
  const seen = new Map<string, number>();
  body.forEach((record, i) => {
    const line = i + 2;
    const cell = (c: Column): string => {
      const at = index.get(c);
      return at === undefined ? '' : (record[at] ?? '');
    };
    const problems: string[] = [];
    for (const c of COLUMNS) {
      const v = cell(c);
      if (c !== 'notes' && v === '') problems.push(`${LABEL[c]}为空`);
      if (v.length > LIMITS[c]) problems.push(`${LABEL[c]}超过 ${LIMITS[c]} 个字`);
    }
    const kind = KINDS[cell('kind').toLowerCase()] ?? KINDS[cell('kind')];
    if (cell('kind') !== '' && !kind)
      problems.push(`类型应为 主讲/听课（host/remote），而不是“${cell('kind')}”`);
    const key = [cell('school'), cell('province'), cell('city'), cell('district'), cell('classroom')].join(
      '\u0000',
    );
    const firstLine = seen.get(key);
    if (firstLine !== undefined) problems.push(`与第 ${firstLine} 行的学校和教室重复`);
    else seen.set(key, line);
    if (problems.length > 0 || !kind) {
      lines.push({ line, message: problems.join('；') });
      return;
    }
    rows.push({
      line,
      school: cell('school'),
      province: cell('province'),
      city: cell('city'),
      district: cell('district'),
      classroom: cell('classroom'),
      kind,
      notes: cell('notes'),
    });
  });
  if (lines.length > 0)
    return { ok: false, message: `${lines.length} bad rows: nothing was imported`, lines };
  return { ok: true, rows };
}

const schoolKey = (s: Pick<School, 'name' | 'province' | 'city' | 'district'>): string =>
  [s.name, s.province, s.city, s.district].join('\u0000');

export interface ImportPlan {
  schools: School[];
  classrooms: Classroom[];
  result: ImportResult;
}

/** New schools and classrooms, and updates of existing ones (same school and name): codes are kept. */
export function planImport(rows: RosterRow[], schools: School[], classrooms: Classroom[]): ImportPlan {
  const schoolByKey = new Map(schools.map((s) => [schoolKey(s), s]));
  const classroomByKey = new Map(classrooms.map((c) => [`${c.schoolId}\u0000${c.name}`, c]));
  const codes = new Set(classrooms.map((c) => c.code));
  const newSchools: School[] = [];
  const writes: Classroom[] = [];
  let created = 0;
  let updated = 0;
  for (const row of rows) {
    const key = schoolKey({
      name: row.school,
      province: row.province,
      city: row.city,
      district: row.district,
    });
    let school = schoolByKey.get(key);
    if (!school) {
      school = {
        id: randomUUID(),
        name: row.school,
        province: row.province,
        city: row.city,
        district: row.district,
        timeZone: DEFAULT_TIME_ZONE,
      };
      schoolByKey.set(key, school);
      newSchools.push(school);
    }
    const existing = classroomByKey.get(`${school.id}\u0000${row.classroom}`);
    if (existing) {
      writes.push({ ...existing, kind: row.kind, notes: row.notes });
      updated++;
    } else {
      writes.push({
        id: randomUUID(),
        schoolId: school.id,
        name: row.classroom,
        kind: row.kind,
        notes: row.notes,
        code: uniqueCode(codes),
      });
      created++;
    }
  }
  return {
    schools: newSchools,
    classrooms: writes,
    result: { schoolsCreated: newSchools.length, classroomsCreated: created, classroomsUpdated: updated },
  };
}

/** The roster as CSV, in the import format plus each classroom's code. */
export function rosterCsv(schools: School[], classrooms: Classroom[]): string {
  const byId = new Map(schools.map((s) => [s.id, s]));
  const rows = classrooms
    .map((c) => ({ c, s: byId.get(c.schoolId) }))
    .filter((r): r is { c: Classroom; s: School } => r.s !== undefined)
    .sort((a, b) => a.s.name.localeCompare(b.s.name, 'zh-CN') || a.c.name.localeCompare(b.c.name, 'zh-CN'))
    .map(({ c, s }) => [s.name, s.province, s.city, s.district, c.name, c.kind, c.notes, c.code]);
  return stringify([[...COLUMNS, 'code'], ...rows], { bom: true });
}
