import { describe, expect, it } from 'vitest';
import { csvLineError } from '@cloudschool/protocol';
import { MAX_ROSTER_ROWS, parseRosterCsv, planImport, rosterCsv } from '../../src/domain/roster.ts';

const header = 'school,province,city,district,classroom,kind,notes';

describe('parseRosterCsv', () => {
  it('reads English or Chinese headers, quotes, BOM and CRLF', () => {
    const csv =
      '\uFEFF学校,省,市,区县,教室,类型,备注\r\n"一中, 本部",四川,成都,武侯,主讲教室,主讲,"有""投影"""\r\n二小,四川,凉山,昭觉,六(1)班,听课,\r\n';
    const parsed = parseRosterCsv(csv);
    expect(parsed).toEqual({
      ok: true,
      rows: [
        {
          line: 2,
          school: '一中, 本部',
          province: '四川',
          city: '成都',
          district: '武侯',
          classroom: '主讲教室',
          kind: 'host',
          notes: '有"投影"',
        },
        {
          line: 3,
          school: '二小',
          province: '四川',
          city: '凉山',
          district: '昭觉',
          classroom: '六(1)班',
          kind: 'remote',
          notes: '',
        },
      ],
    });
  });

  it('names every bad line by a reason code and accepts none', () => {
    const csv = [
      header,
      '一中,四川,成都,武侯,一班,remote,',
      '一中,四川,成都,武侯,,remote,',
      '一中,四川,成都,武侯,二班,student,',
      '一中,四川,成都,武侯,一班,remote,dup',
      `一中,四川,成都,武侯,${'长'.repeat(61)},remote,`,
      '一中,四川,成都,武侯,三班,remote,左边, 有投影',
    ].join('\n');
    const parsed = parseRosterCsv(csv);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.message).toBe('5 bad rows: nothing was imported');
    expect(parsed.lines.map((l) => [l.line, l.problems])).toEqual([
      [3, [{ reason: 'empty_value', column: 'classroom' }]],
      [4, [{ reason: 'unknown_kind', value: 'student' }]],
      [5, [{ reason: 'duplicate', firstLine: 2 }]],
      [6, [{ reason: 'too_long', column: 'classroom', limit: 60 }]],
      [7, [{ reason: 'too_many_fields', count: 8, limit: 7 }]],
    ]);
    // What the server sends is what pages validate.
    for (const line of parsed.lines) expect(csvLineError.parse(line)).toEqual(line);
    expect(parsed.lines[0]!.message).toBe('classroom is empty');
  });

  it('gives a line every problem it has', () => {
    const parsed = parseRosterCsv([header, `,四川,成都,武侯,一班,${'x'.repeat(40)},`].join('\n'));
    expect(parsed).toMatchObject({
      ok: false,
      lines: [
        {
          line: 2,
          problems: [
            { reason: 'empty_value', column: 'school' },
            { reason: 'too_long', column: 'kind', limit: 10 },
            { reason: 'unknown_kind', value: `${'x'.repeat(30)}…` },
          ],
        },
      ],
    });
  });

  it('counts lines as the file has them: blank lines, CRLF and line breaks inside quotes', () => {
    const csv = `\r\n${header}\r\n\r\n一中,四川,成都,武侯,一班,remote,"两行\r\n备注"\r\n\r\n一中,四川,成都,武侯,,remote,\r\n`;
    const parsed = parseRosterCsv(csv);
    expect(parsed).toMatchObject({ ok: false, lines: [{ line: 7, problems: [{ reason: 'empty_value' }] }] });
  });

  it('refuses a file without the required columns, naming each on the header line', () => {
    const parsed = parseRosterCsv('\nname,city,教室,类型\na,b');
    expect(parsed).toMatchObject({
      ok: false,
      lines: [
        {
          line: 2,
          problems: [
            { reason: 'missing_column', column: 'school' },
            { reason: 'missing_column', column: 'province' },
            { reason: 'missing_column', column: 'district' },
          ],
        },
      ],
    });
  });

  it('refuses an empty file', () => {
    expect(parseRosterCsv('\uFEFF\n  \n')).toEqual({
      ok: false,
      message: 'line 1: the file is empty',
      lines: [{ line: 1, problems: [{ reason: 'empty_file' }], message: 'the file is empty' }],
    });
  });

  it("maps the CSV reader's errors to reason codes on the line where the bad record starts", () => {
    const row = '一中,四川,成都,武侯,一班,remote,';
    const cases: [string, number, string][] = [
      // csv-parse reports CSV_QUOTE_NOT_CLOSED at the end of the file (line 5); the quote opens on line 3.
      [[header, row, '一中,四川,成都,武侯,"二班,remote,', row, row].join('\n'), 3, 'unclosed_quote'],
      [[header, row, '一中,四川,成都,武侯,"二班"x,remote,'].join('\n'), 3, 'bad_quote'],
      [[header, '一中,四川,成都,武侯,二"班",remote,'].join('\n'), 2, 'bad_quote'],
      [['"school",province,city,district,classroom,kind,"notes', row].join('\n'), 1, 'unclosed_quote'],
    ];
    for (const [csv, line, reason] of cases) {
      const parsed = parseRosterCsv(csv);
      expect(parsed, csv).toMatchObject({ ok: false, lines: [{ line, problems: [{ reason }] }] });
      if (!parsed.ok) expect(parsed.lines[0]!.message).toMatch(/^a quote|^a quoted/);
    }
  });

  it('refuses more than MAX_ROSTER_ROWS rows, naming the first one over', () => {
    const rows = Array.from({ length: MAX_ROSTER_ROWS + 1 }, (_, i) => `一中,四川,成都,武侯,${i}班,remote,`);
    expect(parseRosterCsv([header, ...rows].join('\n'))).toMatchObject({
      ok: false,
      lines: [{ line: MAX_ROSTER_ROWS + 2, problems: [{ reason: 'too_many_rows', limit: MAX_ROSTER_ROWS }] }],
    });
  });

  it('reads rows longer than the header when the extra values are blank', () => {
    const parsed = parseRosterCsv([header, '一中,四川,成都,武侯,一班,remote,,,'].join('\n'));
    expect(parsed.ok).toBe(true);
  });
});

describe('planImport', () => {
  it('creates schools once, keeps codes of classrooms it updates, and exports what it imported', () => {
    const first = parseRosterCsv(
      [header, '一中,四川,成都,武侯,一班,host,', '一中,四川,成都,武侯,二班,remote,'].join('\n'),
    );
    if (!first.ok) throw new Error('bad fixture');
    const plan = planImport(first.rows, [], []);
    expect(plan.result).toEqual({ schoolsCreated: 1, classroomsCreated: 2, classroomsUpdated: 0 });
    expect(new Set(plan.classrooms.map((c) => c.code)).size).toBe(2);
    for (const c of plan.classrooms) expect(c.code).toMatch(/^[A-HJ-KM-NP-Z2-9]{6}$/);

    const again = parseRosterCsv(
      [header, '一中,四川,成都,武侯,二班,remote,换了投影仪', '一中,四川,成都,武侯,三班,remote,'].join('\n'),
    );
    if (!again.ok) throw new Error('bad fixture');
    const second = planImport(again.rows, plan.schools, plan.classrooms);
    expect(second.result).toEqual({ schoolsCreated: 0, classroomsCreated: 1, classroomsUpdated: 1 });
    const updated = second.classrooms.find((c) => c.name === '二班')!;
    expect(updated.code).toBe(plan.classrooms.find((c) => c.name === '二班')!.code);
    expect(updated.notes).toBe('换了投影仪');

    const exported = rosterCsv(plan.schools, plan.classrooms);
    const reparsed = parseRosterCsv(exported);
    // Sorted by pinyin: 二 (èr) before 一 (yī).
    expect(reparsed.ok && reparsed.rows.map((r) => r.classroom)).toEqual(['二班', '一班']);
  });

  it('exports what a spreadsheet would run as a formula as plain text', () => {
    const parsed = parseRosterCsv(
      ['school,province,city,district,classroom,kind,notes', '=1+2,四川,成都,武侯,一班,remote,@SUM(A1)'].join(
        '\n',
      ),
    );
    if (!parsed.ok) throw new Error('bad fixture');
    const plan = planImport(parsed.rows, [], []);
    const exported = rosterCsv(plan.schools, plan.classrooms);
    expect(exported).not.toMatch(/(^|,)=1\+2/m);
    expect(exported).not.toMatch(/(^|,)@SUM/m);
    expect(exported).toContain("'=1+2");
  });
});
