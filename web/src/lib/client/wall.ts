/**
 * The coordinators' live wall, in the browser: the lessons as the server last pushed them, what each cell
 * shows at this moment (a dark picture counts from 10 s), the numbers at the top, grouping by place, the
 * filters, and the alert list. Pure; the page keeps the state and the clock.
 */
import type {
  SchoolView,
  WallAlert,
  WallAlertKind,
  WallCell,
  WallLesson,
  WallSnapshot,
  WallUpdate,
} from '@cloudschool/protocol';
import { patchWallLesson, wallAlertKinds } from '@cloudschool/protocol';
import { byText, schoolOf } from './roster.ts';
import type { Directory } from './roster.ts';

/** A cell shows dark once its page has decoded nothing this long. */
export const DARK_SHOWN_MS = 10_000;

/** What a cell shows, one colour each. */
export type CellLook =
  | 'absent'
  | 'waiting'
  | 'ready'
  | 'not_ready'
  | 'reconnecting'
  | 'dark'
  | 'good'
  | 'fair'
  | 'poor'
  | 'bad'
  | 'unknown';

/** Before the lesson, a waiting classroom shows its self-check; once it is live, its picture and level. */
export function cellLook(cell: WallCell, now: number): CellLook {
  if (cell.presence === 'waiting' && cell.readiness && cell.readiness.state !== 'checking') {
    return cell.readiness.state;
  }
  if (cell.presence !== 'connected') return cell.presence;
  if (cell.darkSince !== null && now - cell.darkSince >= DARK_SHOWN_MS) return 'dark';
  return cell.quality === 'reconnecting' ? 'reconnecting' : cell.quality;
}

const TROUBLE: ReadonlySet<CellLook> = new Set(['not_ready', 'dark', 'poor', 'bad', 'reconnecting']);

/** A cell a coordinator should look at: an alert on it, or not ready, dark, poor or reconnecting now. */
export function inTrouble(cell: WallCell, now: number): boolean {
  return cell.alert !== null || TROUBLE.has(cellLook(cell, now));
}

/** The wall's lessons after a snapshot (replacing everything) or an update (new, changed, gone). */
export function applyWall(
  lessons: ReadonlyMap<string, WallLesson>,
  change: WallSnapshot | WallUpdate,
): Map<string, WallLesson> {
  const next = new Map('gone' in change ? lessons : []);
  for (const lesson of change.lessons) next.set(lesson.lessonId, lesson);
  if (!('gone' in change)) return next;
  for (const patch of change.patches) {
    const lesson = next.get(patch.lessonId);
    // A patch of a lesson this page never had cannot happen on one connection; a new watch brings it whole.
    if (lesson) next.set(patch.lessonId, patchWallLesson(lesson, patch));
  }
  for (const lessonId of change.gone) next.delete(lessonId);
  return next;
}

export interface WallTotals {
  live: number;
  connected: number;
  invited: number;
  trouble: number;
}

export function wallTotals(lessons: Iterable<WallLesson>, now: number): WallTotals {
  const totals: WallTotals = { live: 0, connected: 0, invited: 0, trouble: 0 };
  for (const lesson of lessons) {
    if (lesson.status === 'live') totals.live++;
    for (const cell of lesson.classrooms) {
      totals.invited++;
      if (cell.presence === 'connected' || cell.presence === 'waiting') totals.connected++;
      if (inTrouble(cell, now)) totals.trouble++;
    }
  }
  return totals;
}

export interface WallFilter {
  province: string;
  city: string;
  county: string;
  /** Part of a lesson title, teacher, school or classroom name. */
  text: string;
  /** Only the classrooms in trouble. */
  troubleOnly: boolean;
}

export const NO_FILTER: WallFilter = { province: '', city: '', county: '', text: '', troubleOnly: false };

/** A county's (or a school's) cells of one lesson, as the wall groups them. */
export interface CellGroup {
  /** `四川 凉山 昭觉`. */
  place: string;
  school: string;
  cells: WallCell[];
}

function inPlace(school: SchoolView | undefined, filter: WallFilter): boolean {
  if (filter.province && school?.province !== filter.province) return false;
  if (filter.city && school?.city !== filter.city) return false;
  return !filter.county || school?.district === filter.county;
}

/**
 * One lesson's cells that pass the filter, grouped by place and school in Chinese order; null when the
 * lesson has none to show (a lesson whose title or teacher matches the text shows all its cells).
 */
export function cellGroups(
  lesson: WallLesson,
  dir: Directory,
  filter: WallFilter,
  now: number,
): CellGroup[] | null {
  const text = filter.text.trim().toLowerCase();
  const lessonMatches =
    !text ||
    lesson.title.toLowerCase().includes(text) ||
    (dir.accounts.get(lesson.hostTeacherId)?.displayName ?? '').toLowerCase().includes(text);
  const groups = new Map<string, CellGroup>();
  for (const cell of lesson.classrooms) {
    const school = schoolOf(dir, cell.classroomId);
    if (!inPlace(school, filter)) continue;
    if (filter.troubleOnly && !inTrouble(cell, now)) continue;
    const name = `${school?.name ?? ''} ${dir.classrooms.get(cell.classroomId)?.name ?? ''}`.toLowerCase();
    if (!lessonMatches && !name.includes(text)) continue;
    const place = school ? `${school.province} ${school.city} ${school.district}` : '';
    const key = `${place}\u0000${school?.name ?? ''}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { place, school: school?.name ?? '', cells: [] }));
    group.cells.push(cell);
  }
  if (groups.size === 0) return null;
  return [...groups.values()].sort((a, b) => byText(a.place, b.place) || byText(a.school, b.school));
}

/** The counties (districts) of the roster's schools in a province and city, for the filter. */
export function countiesOf(schools: Iterable<SchoolView>, province: string, city: string): string[] {
  const here = [...schools].filter(
    (s) => (!province || s.province === province) && (!city || s.city === city),
  );
  return [...new Set(here.map((s) => s.district))].sort(byText);
}

export interface AlertRow {
  lesson: WallLesson;
  alert: WallAlert;
}

const ORDER = new Map<WallAlertKind, number>(wallAlertKinds.map((kind, i) => [kind, i]));

/** Every lesson's alerts, its own and its classrooms': the lessons' own first, then the longest standing. */
export function alertRows(lessons: Iterable<WallLesson>): AlertRow[] {
  const rows: AlertRow[] = [];
  for (const lesson of lessons) {
    for (const { kind, since } of lesson.alerts)
      rows.push({ lesson, alert: { kind, since, classroomId: null } });
    for (const cell of lesson.classrooms) {
      if (cell.alert) rows.push({ lesson, alert: { ...cell.alert, classroomId: cell.classroomId } });
    }
  }
  return rows.sort(
    (a, b) =>
      (ORDER.get(a.alert.kind) ?? 0) - (ORDER.get(b.alert.kind) ?? 0) ||
      a.alert.since - b.alert.since ||
      a.lesson.startsAt - b.lesson.startsAt,
  );
}

/** Live lessons first, then those about to start, each by start time. */
export function wallOrder(lessons: Iterable<WallLesson>): WallLesson[] {
  return [...lessons].sort(
    (a, b) => Number(b.status === 'live') - Number(a.status === 'live') || a.startsAt - b.startsAt,
  );
}
