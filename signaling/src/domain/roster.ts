/**
 * CSV roster import: one row per classroom, with its school. Parsing and
 * planning are pure; the whole plan is written in one atomic store call, so
 * a file with a bad row imports nothing.
 */
import { randomUUID } from 'node:crypto';
import { CsvError, parse, type CsvErrorCode } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import {
  isCsvFileProblem,
  rosterColumns,
  type CsvLineError,
  type CsvProblem,
  type ImportResult,
  type RosterColumn,
} from '@cloudschool/protocol';
import { uniqueCode } from './codes.ts';
import type { Classroom, ClassroomKind, School } from './types.ts';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
export const MAX_ROSTER_ROWS = 20_000;

const CHINESE: Record<string, RosterColumn> = {
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
const KINDS: Record<string, ClassroomKind> = { host: 'host', remote: 'remote', 主讲: 'host', 听课: 'remote' };
const LIMITS: Record<RosterColumn, number> = {
  school: 100,
  province: 30,
  city: 30,
  district: 30,
  classroom: 60,
  kind: 10,
  notes: 500,
};
/** How much of a wrong kind a problem repeats. */
const MAX_QUOTED = 30;

/**
 * csv-parse's refusals by its error code. Rows of any length are read
 * (`relax_column_count`), so CSV_RECORD_INCONSISTENT_* never come: a row
 * longer than the header is checked below (`too_many_fields`). Any other code
 * is `unreadable`.
 */
const PARSER_REASONS: Partial<Record<CsvErrorCode, 'unclosed_quote' | 'bad_quote'>> = {
  CSV_QUOTE_NOT_CLOSED: 'unclosed_quote',
  CSV_INVALID_CLOSING_QUOTE: 'bad_quote',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'bad_quote',
  INVALID_OPENING_QUOTE: 'bad_quote',
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

/** Refused: `message` (English) for logs and API users, `lines` with reason codes for pages. */
export type ParseResult =
  { ok: true; rows: RosterRow[] } | { ok: false; message: string; lines: CsvLineError[] };

export function parseRosterCsv(text: string): ParseResult {
  const lineAt = lineCounter(text);
  /** The line each record starts on; and where the last one read ended (bytes, as csv-parse counts). */
  const starts: number[] = [];
  let end = 0;
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      on_record: (record: string[], { bytes }) => {
        starts.push(lineAt(end));
        end = bytes;
        return record;
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // The record that failed starts where the last one read ended.
    const reason = PARSER_REASONS[error.code] ?? 'unreadable';
    return refuse([lineError(lineAt(end), [{ reason }], error.code)]);
  }
  const [header, ...body] = records;
  if (!header) return refuse([lineError(1, [{ reason: 'empty_file' }])]);
  const index = new Map<RosterColumn, number>();
  header.forEach((name, i) => {
    const key = name.toLowerCase();
    const column = rosterColumns.find((c) => c === key) ?? CHINESE[name];
    if (column && !index.has(column)) index.set(column, i);
  });
  const headerLine = starts[0] ?? 1;
  const missing = rosterColumns.filter((c) => c !== 'notes' && !index.has(c));
  if (missing.length > 0)
    return refuse([
      lineError(
        headerLine,
        missing.map((column) => ({ reason: 'missing_column', column })),
      ),
    ]);
  if (body.length > MAX_ROSTER_ROWS) {
    const line = starts[MAX_ROSTER_ROWS + 1] ?? headerLine;
    return refuse([lineError(line, [{ reason: 'too_many_rows', limit: MAX_ROSTER_ROWS }])]);
  }

  const rows: RosterRow[] = [];
  const lines: CsvLineError[] = [];
  const seen = new Map<string, number>();
  body.forEach((record, i) => {
    const line = starts[i + 1] ?? i + 2;
    const cell = (c: RosterColumn): string => {
      const at = index.get(c);
      return at === undefined ? '' : (record[at] ?? '');
    };
    const problems: CsvProblem[] = [];
    const filled = record.findLastIndex((value) => value !== '') + 1;
    if (filled > header.length)
      problems.push({ reason: 'too_many_fields', count: filled, limit: header.length });
    for (const column of rosterColumns) {
      const value = cell(column);
      if (column !== 'notes' && value === '') problems.push({ reason: 'empty_value', column });
      if (value.length > LIMITS[column]) problems.push({ reason: 'too_long', column, limit: LIMITS[column] });
    }
    const kind = KINDS[cell('kind').toLowerCase()] ?? KINDS[cell('kind')];
    if (cell('kind') !== '' && !kind) problems.push({ reason: 'unknown_kind', value: quoted(cell('kind')) });
    const key = [cell('school'), cell('province'), cell('city'), cell('district'), cell('classroom')].join(
      '\u0000',
    );
    const firstLine = seen.get(key);
    if (firstLine !== undefined) problems.push({ reason: 'duplicate', firstLine });
    else seen.set(key, line);
    if (problems.length > 0 || !kind) {
      lines.push(lineError(line, problems));
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
  if (lines.length > 0) return refuse(lines);
  return { ok: true, rows };
}

function lineError(line: number, problems: CsvProblem[], detail?: string): CsvLineError {
  const message = problems.map(describe).join('; ');
  return { line, problems, message: detail === undefined ? message : `${message} (${detail})` };
}

function refuse(lines: CsvLineError[]): ParseResult {
  const [first] = lines;
  const message =
    first && lines.some((l) => l.problems.some((p) => isCsvFileProblem(p.reason)))
      ? `line ${first.line}: ${first.message}`
      : `${lines.length} bad rows: nothing was imported`;
  return { ok: false, message, lines };
}

/** A problem in English, for logs and API users. */
function describe(problem: CsvProblem): string {
  switch (problem.reason) {
    case 'empty_file':
      return 'the file is empty';
    case 'unclosed_quote':
      return 'a quoted value that starts here is never closed';
    case 'bad_quote':
      return 'a quote out of place: quote whole values, and double the quotes inside them';
    case 'unreadable':
      return 'not readable as CSV';
    case 'missing_column':
      return `the header has no ${problem.column} column`;
    case 'too_many_rows':
      return `more than ${problem.limit} rows`;
    case 'too_many_fields':
      return `${problem.count} values where the header has ${problem.limit} columns: quote values with commas`;
    case 'empty_value':
      return `${problem.column} is empty`;
    case 'too_long':
      return `${problem.column} is longer than ${problem.limit} characters`;
    case 'unknown_kind':
      return `kind "${problem.value}" is neither host nor remote`;
    case 'duplicate':
      return `the same school and classroom as line ${problem.firstLine}`;
  }
}

const LF = 0x0a;
const CR = 0x0d;
const isBlank = (byte: number | undefined): boolean =>
  byte === LF || byte === CR || byte === 0x20 || byte === 0x09;

/**
 * Line numbers (from 1) of offsets in bytes, as csv-parse counts them (UTF-8,
 * a BOM included): the line of the first non-blank character at or after the
 * offset, where the next record starts. csv-parse's own `lines` miscounts
 * CRLF inside quotes, so the file is counted here, in one pass: offsets must
 * not decrease.
 */
function lineCounter(text: string): (offset: number) => number {
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  let line = 1;
  return (offset) => {
    for (; at < bytes.length && (at < offset || isBlank(bytes[at])); at++) {
      if (bytes[at] === LF || (bytes[at] === CR && bytes[at + 1] !== LF)) line++;
    }
    return line;
  };
}

function quoted(value: string): string {
  return value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value;
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
  // A cell a spreadsheet would run as a formula (=, +, -, @) is written as text.
  return stringify([[...rosterColumns, 'code'], ...rows], { bom: true, escape_formulas: true });
}
