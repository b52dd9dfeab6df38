/**
 * The coordinator's roster as lookups and filters: schools, classrooms and
 * accounts by id, names a person recognizes, and the province / city / text
 * filters of the roster and invitation lists. Pure, sorted the Chinese way
 * (pinyin order via the zh-CN collation).
 */
import type { AccountView, ClassroomView, SchoolView } from '@cloudschool/protocol';

const collator = new Intl.Collator('zh-CN', { numeric: true });
export const byText = (a: string, b: string): number => collator.compare(a, b);

export interface Directory {
  readonly schools: ReadonlyMap<string, SchoolView>;
  readonly classrooms: ReadonlyMap<string, ClassroomView>;
  readonly accounts: ReadonlyMap<string, AccountView>;
}

export function directory(
  schools: readonly SchoolView[],
  classrooms: readonly ClassroomView[],
  accounts: readonly AccountView[] = [],
): Directory {
  return {
    schools: new Map(schools.map((s) => [s.id, s])),
    classrooms: new Map(classrooms.map((c) => [c.id, c])),
    accounts: new Map(accounts.map((a) => [a.id, a])),
  };
}

export function schoolOf(dir: Directory, classroomId: string): SchoolView | undefined {
  const classroom = dir.classrooms.get(classroomId);
  return classroom ? dir.schools.get(classroom.schoolId) : undefined;
}

/** `实验小学 · 三年级一班`, or the id when the roster does not know it (yet). */
export function classroomLabel(dir: Directory, classroomId: string): string {
  const classroom = dir.classrooms.get(classroomId);
  if (!classroom) return classroomId;
  const school = dir.schools.get(classroom.schoolId);
  return school ? `${school.name} · ${classroom.name}` : classroom.name;
}

export function accountName(dir: Directory, accountId: string): string {
  return dir.accounts.get(accountId)?.displayName ?? accountId;
}

export function provincesOf(schools: Iterable<SchoolView>): string[] {
  return [...new Set([...schools].map((s) => s.province))].sort(byText);
}

/** Cities of one province, or of all when `province` is empty. */
export function citiesOf(schools: Iterable<SchoolView>, province = ''): string[] {
  const inProvince = [...schools].filter((s) => !province || s.province === province);
  return [...new Set(inProvince.map((s) => s.city))].sort(byText);
}

export interface RosterFilter {
  province: string;
  city: string;
  /** Any part of a name, place, code or note; case does not matter. */
  text: string;
}

function matchesText(query: string, fields: readonly string[]): boolean {
  const needle = query.trim().toLocaleLowerCase();
  return !needle || fields.some((field) => field.toLocaleLowerCase().includes(needle));
}

function inPlace(school: SchoolView, filter: RosterFilter): boolean {
  return (
    (!filter.province || school.province === filter.province) && (!filter.city || school.city === filter.city)
  );
}

const schoolFields = (s: SchoolView): string[] => [s.name, s.province, s.city, s.district];

export function filterSchools(schools: readonly SchoolView[], filter: RosterFilter): SchoolView[] {
  return schools
    .filter((s) => inPlace(s, filter) && matchesText(filter.text, schoolFields(s)))
    .sort((a, b) => byText(a.province, b.province) || byText(a.city, b.city) || byText(a.name, b.name));
}

/** Classrooms whose school is in the place, matching the text on the classroom or its school. */
export function filterClassrooms(
  dir: Directory,
  classrooms: readonly ClassroomView[],
  filter: RosterFilter,
): ClassroomView[] {
  const rows: { classroom: ClassroomView; school: SchoolView | undefined }[] = [];
  for (const classroom of classrooms) {
    const school = dir.schools.get(classroom.schoolId);
    if ((filter.province || filter.city) && (!school || !inPlace(school, filter))) continue;
    const fields = [classroom.name, classroom.code, classroom.notes, ...(school ? schoolFields(school) : [])];
    if (matchesText(filter.text, fields)) rows.push({ classroom, school });
  }
  rows.sort(
    (a, b) =>
      byText(a.school?.name ?? '', b.school?.name ?? '') || byText(a.classroom.name, b.classroom.name),
  );
  return rows.map((row) => row.classroom);
}

/** Host classrooms grouped by school (the host classroom picker), both sorted by name. */
export function hostClassroomGroups(dir: Directory): { school: string; rooms: ClassroomView[] }[] {
  const groups = new Map<string, { school: string; rooms: ClassroomView[] }>();
  for (const classroom of dir.classrooms.values()) {
    if (classroom.kind !== 'host') continue;
    const group = groups.get(classroom.schoolId) ?? {
      school: dir.schools.get(classroom.schoolId)?.name ?? '',
      rooms: [],
    };
    group.rooms.push(classroom);
    groups.set(classroom.schoolId, group);
  }
  return [...groups.values()]
    .sort((a, b) => byText(a.school, b.school))
    .map((group) => ({ ...group, rooms: group.rooms.sort((a, b) => byText(a.name, b.name)) }));
}

/** Schools grouped by province, both sorted. */
export function schoolsByProvince(
  schools: readonly SchoolView[],
): { province: string; schools: SchoolView[] }[] {
  const groups = new Map<string, SchoolView[]>();
  for (const school of schools) groups.set(school.province, [...(groups.get(school.province) ?? []), school]);
  return [...groups.entries()]
    .sort(([a], [b]) => byText(a, b))
    .map(([province, list]) => ({ province, schools: list.sort((a, b) => byText(a.name, b.name)) }));
}

export interface KindCount {
  host: number;
  remote: number;
}

/** Host and remote classrooms per school id. */
export function classroomCounts(classrooms: readonly ClassroomView[]): ReadonlyMap<string, KindCount> {
  const counts = new Map<string, KindCount>();
  for (const classroom of classrooms) {
    const count = counts.get(classroom.schoolId) ?? { host: 0, remote: 0 };
    count[classroom.kind]++;
    counts.set(classroom.schoolId, count);
  }
  return counts;
}

export interface RemoteCounts {
  school: ReadonlyMap<string, number>;
  city: ReadonlyMap<string, number>;
  province: ReadonlyMap<string, number>;
}

/** How many remote classrooms each school, city and province has (beside each invitation choice). */
export function remoteCounts(dir: Directory): RemoteCounts {
  const school = new Map<string, number>();
  const city = new Map<string, number>();
  const province = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string): void => void map.set(key, (map.get(key) ?? 0) + 1);
  for (const classroom of dir.classrooms.values()) {
    if (classroom.kind !== 'remote') continue;
    bump(school, classroom.schoolId);
    const where = dir.schools.get(classroom.schoolId);
    if (where) {
      bump(city, where.city);
      bump(province, where.province);
    }
  }
  return { school, city, province };
}
