import { describe, expect, it } from 'vitest';
import {
  citiesOf,
  classroomCounts,
  classroomLabel,
  directory,
  filterClassrooms,
  filterSchools,
  hostClassroomGroups,
  provincesOf,
  remoteCounts,
  schoolsByProvince,
} from './roster.ts';
import type { RosterFilter } from './roster.ts';
import { classrooms, schools } from './testFixtures.ts';

const noFilter: RosterFilter = { province: '', city: '', text: '' };

const dir = directory(schools, classrooms);

describe('roster lookups', () => {
  it('names a classroom with its school', () => {
    expect(classroomLabel(dir, 'c2')).toBe('实验小学 · 三年级一班');
    expect(classroomLabel(dir, 'unknown')).toBe('unknown');
  });

  it('lists provinces and the cities of one', () => {
    expect(provincesOf(schools)).toEqual(['贵州省', '四川省']);
    expect(citiesOf(schools, '四川省')).toEqual(['成都市', '绵阳市']);
    expect(citiesOf(schools)).toHaveLength(3);
  });
});

describe('roster filters', () => {
  it('filters schools by place and text', () => {
    expect(filterSchools(schools, { ...noFilter, province: '四川省' }).map((s) => s.id)).toEqual([
      's1',
      's2',
    ]);
    expect(filterSchools(schools, { ...noFilter, text: '涪城' }).map((s) => s.id)).toEqual(['s2']);
  });

  it('filters classrooms by their school place and by code or notes, any case', () => {
    expect(filterClassrooms(dir, classrooms, { ...noFilter, city: '成都市' }).map((c) => c.id)).toEqual([
      'c1',
      'c2',
    ]);
    expect(filterClassrooms(dir, classrooms, { ...noFilter, text: 'ef34' }).map((c) => c.id)).toEqual(['c3']);
    expect(filterClassrooms(dir, classrooms, { ...noFilter, text: '投影' }).map((c) => c.id)).toEqual(['c2']);
    expect(filterClassrooms(dir, classrooms, { ...noFilter, text: '希望' }).map((c) => c.id)).toEqual(['c4']);
  });
});

describe('roster groupings', () => {
  it('groups host classrooms by school', () => {
    expect(hostClassroomGroups(dir).map((g) => [g.school, g.rooms.map((r) => r.id)])).toEqual([
      ['实验小学', ['c1']],
    ]);
  });

  it('groups schools by province', () => {
    expect(schoolsByProvince(schools).map((g) => [g.province, g.schools.map((s) => s.id)])).toEqual([
      ['贵州省', ['s3']],
      ['四川省', ['s1', 's2']],
    ]);
  });

  it('counts classrooms by kind and remote classrooms by place', () => {
    expect(classroomCounts(classrooms).get('s1')).toEqual({ host: 1, remote: 1 });
    const counts = remoteCounts(dir);
    expect(counts.province.get('四川省')).toBe(2);
    expect(counts.city.get('成都市')).toBe(1);
    expect(counts.school.get('s1')).toBe(1);
  });
});
