import { describe, expect, it } from 'vitest';
import { parseRosterCsv, planImport, rosterCsv } from '../../src/domain/roster.ts';

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

  it('names every bad line and accepts none', () => {
    const csv = [
      header,
      '一中,四川,成都,武侯,一班,remote,',
      '一中,四川,成都,武侯,,remote,',
      '一中,四川,成都,武侯,二班,student,',
      '一中,四川,成都,武侯,一班,remote,dup',
      `一中,四川,成都,武侯,${'长'.repeat(61)},remote,`,
    ].join('\n');
    const parsed = parseRosterCsv(csv);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.lines.map((l) => l.line)).toEqual([3, 4, 5, 6]);
    expect(parsed.lines[0]!.message).toMatch(/教室为空/);
    expect(parsed.lines[1]!.message).toMatch(/类型应为/);
    expect(parsed.lines[2]!.message).toMatch(/第 2 行/);
    expect(parsed.lines[3]!.message).toMatch(/超过 60 个字/);
  });

  it('refuses a file without the required columns', () => {
    const parsed = parseRosterCsv('name,city\na,b');
    expect(parsed).toMatchObject({
      ok: false,
      message: expect.stringMatching(/缺少列：学校\(school\)、省\(province\)/),
    });
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
});
