/**
 * Dates and times in a lesson's (or school's) time zone, whatever the zone of
 * the PC showing the page. Pure: every function takes the instant or the zone
 * it works on, so it is tested without touching the machine's clock or zone.
 *
 * Two shapes of value travel here: instants as ISO 8601 UTC strings (what the
 * server sends and takes), and wall-clock values in a zone as `YYYY-MM-DD`
 * dates and `HH:mm` times (what `<input type="date|time">` hold).
 */
import type { Lang } from '#lib/i18n/index.ts';
// The zod-free module only: the classroom and login pages do not load the protocol's schemas.
import {
  addDays,
  calendarDate,
  MAX_LESSON_MS,
  mondayOf,
  wallClock,
  weekdayIndex,
  zoneOffsetMs,
} from '@cloudschool/protocol';

export { addDays, mondayOf, weekdayIndex, zoneOffsetMs };

/** Where every school is unless it says otherwise. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const timePattern = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isDateString(value: string): boolean {
  const match = datePattern.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function isTimeString(value: string): boolean {
  return timePattern.test(value);
}

// ---------------------------------------------------------------- zone arithmetic

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function toInstant(value: string | number | Date): number {
  return typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : value.getTime();
}

/** `YYYY-MM-DD` in `timeZone` at an instant. */
export function zonedDate(instant: string | number | Date, timeZone: string): string {
  return calendarDate(toInstant(instant), timeZone);
}

/** `HH:mm` in `timeZone` at an instant. */
export function zonedTime(instant: string | number | Date, timeZone: string): string {
  const wall = wallClock(toInstant(instant), timeZone);
  return `${pad(wall.hour)}:${pad(wall.minute)}`;
}

/** Minutes since the zone's midnight (0–1439) at an instant. */
export function minutesIntoDay(instant: string | number | Date, timeZone: string): number {
  const wall = wallClock(toInstant(instant), timeZone);
  return wall.hour * 60 + wall.minute;
}

/**
 * The instant (ISO 8601 UTC) of a wall-clock date and time in `timeZone`.
 * In a gap (spring forward) the time is read with the offset before the gap;
 * in an overlap the earlier instant wins. China has neither since 1991.
 */
export function zonedToUtc(date: string, time: string, timeZone: string): string {
  const dateMatch = datePattern.exec(date);
  const timeMatch = timePattern.exec(time);
  if (!dateMatch || !timeMatch || !isDateString(date))
    throw new RangeError(`not a date and time: ${date} ${time}`);
  const asUtc = Date.UTC(
    Number(dateMatch[1]),
    Number(dateMatch[2]) - 1,
    Number(dateMatch[3]),
    Number(timeMatch[1]),
    Number(timeMatch[2]),
  );
  const first = asUtc - zoneOffsetMs(asUtc, timeZone);
  const second = asUtc - zoneOffsetMs(first, timeZone);
  // Both agree except around a change of offset; keep the one whose wall clock reads what was asked.
  const instant = zonedTime(second, timeZone) === time ? second : first;
  return new Date(instant).toISOString();
}

/** `HH:mm` → minutes since midnight. */
export function timeToMinutes(time: string): number {
  const match = timePattern.exec(time);
  if (!match) throw new RangeError(`not a time: ${time}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Minutes since midnight → `HH:mm`, held within the day (00:00–23:59). */
export function minutesToTime(minutes: number): string {
  const clamped = Math.min(24 * 60 - 1, Math.max(0, Math.round(minutes)));
  return `${pad(Math.floor(clamped / 60))}:${pad(clamped % 60)}`;
}

/**
 * The date a lesson starting on `date` at `start` ends at `end`: that day, or the next when the end is at or
 * before the start (across midnight, as a lesson scheduled at 23:30 for an hour); null when that lesson would be
 * longer than the server takes — most likely a slip, such as 10:00 – 09:45.
 */
export function lessonEndDate(date: string, start: string, end: string): string | null {
  const from = timeToMinutes(start);
  const to = timeToMinutes(end);
  if (to > from) return date;
  return (to + 24 * 60 - from) * MINUTE_MS <= MAX_LESSON_MS ? addDays(date, 1) : null;
}

/** The next whole hour after an instant, as a date and time in `timeZone` (a new lesson's default start). */
export function nextWholeHour(instant: number, timeZone: string): { date: string; time: string } {
  const next = instant + HOUR_MS - (minutesIntoDay(instant, timeZone) % 60) * MINUTE_MS;
  return { date: zonedDate(next, timeZone), time: `${zonedTime(next, timeZone).slice(0, 2)}:00` };
}

// ---------------------------------------------------------------- calendar days (addDays, mondayOf: protocol)

/** The seven dates of the week starting on `monday`. */
export function weekDays(monday: string): string[] {
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

export interface InstantRange {
  /** ISO 8601 UTC, inclusive. */
  from: string;
  /** ISO 8601 UTC, exclusive. */
  to: string;
}

/** From midnight of `first` to midnight after `days` days, in `timeZone`. */
export function daysRange(first: string, days: number, timeZone: string): InstantRange {
  return {
    from: zonedToUtc(first, '00:00', timeZone),
    to: zonedToUtc(addDays(first, days), '00:00', timeZone),
  };
}

/** Monday 00:00 to the next Monday 00:00 in `timeZone`, for the week that holds `date`. */
export function weekRange(date: string, timeZone: string): InstantRange {
  return daysRange(mondayOf(date), 7, timeZone);
}

export function dayRange(date: string, timeZone: string): InstantRange {
  return daysRange(date, 1, timeZone);
}

// ---------------------------------------------------------------- display

const displayFormatters = new Map<string, Intl.DateTimeFormat>();

function displayFormatter(
  lang: Lang,
  timeZone: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = `${lang}|${timeZone}|${JSON.stringify(options)}`;
  let formatter = displayFormatters.get(key);
  if (!formatter) {
    // en-GB: day before month and a 24-hour clock, closer to what Chinese schools use than en-US.
    formatter = new Intl.DateTimeFormat(lang === 'zh-CN' ? 'zh-CN' : 'en-GB', { timeZone, ...options });
    displayFormatters.set(key, formatter);
  }
  return formatter;
}

const timeOptions: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
const dateOptions: Intl.DateTimeFormatOptions = { month: 'long', day: 'numeric', weekday: 'short' };

/** `14:05` */
export function formatTime(instant: string | number, timeZone: string, lang: Lang): string {
  return displayFormatter(lang, timeZone, timeOptions).format(toInstant(instant));
}

/** `11月28日周六` / `Sat 28 November` */
export function formatDate(instant: string | number, timeZone: string, lang: Lang): string {
  return displayFormatter(lang, timeZone, dateOptions).format(toInstant(instant));
}

/** A `YYYY-MM-DD` calendar date, read as that day (no zone shift). */
export function formatDay(
  date: string,
  lang: Lang,
  options: Intl.DateTimeFormatOptions = dateOptions,
): string {
  return displayFormatter(lang, 'UTC', options).format(Date.parse(`${date}T12:00:00Z`));
}

/** `11月28日周六 14:00–14:45`: one date when both ends are on the same day. */
export function formatRange(startsAt: string, endsAt: string, timeZone: string, lang: Lang): string {
  const start = `${formatDate(startsAt, timeZone, lang)} ${formatTime(startsAt, timeZone, lang)}`;
  const sameDay = zonedDate(startsAt, timeZone) === zonedDate(endsAt, timeZone);
  const end = sameDay
    ? formatTime(endsAt, timeZone, lang)
    : `${formatDate(endsAt, timeZone, lang)} ${formatTime(endsAt, timeZone, lang)}`;
  return `${start}–${end}`;
}

/** An end on the day after the start, in each language. */
const NEXT_DAY: Record<Lang, (time: string) => string> = {
  'zh-CN': (time) => `次日 ${time}`,
  en: (time) => `${time} (next day)`,
};

/** `14:00–14:45`; `23:30–次日 00:30` for a lesson across midnight, so its end is not read as that morning. */
export function formatTimeRange(startsAt: string, endsAt: string, timeZone: string, lang: Lang): string {
  const end = formatTime(endsAt, timeZone, lang);
  const nextDay = zonedDate(endsAt, timeZone) !== zonedDate(startsAt, timeZone);
  return `${formatTime(startsAt, timeZone, lang)}–${nextDay ? NEXT_DAY[lang](end) : end}`;
}

// ---------------------------------------------------------------- countdowns

/** How much `serverTime` is ahead of this PC's clock (negative when behind). */
export function clockOffset(serverTime: string, localNow: number): number {
  const server = Date.parse(serverTime);
  return Number.isFinite(server) ? server - localNow : 0;
}

/** What a waiting room says about the time left, in the largest units that still read well. */
export type Countdown =
  | { unit: 'due' }
  | { unit: 'underMinute' }
  | { unit: 'minutes'; minutes: number }
  | { unit: 'hours'; hours: number; minutes: number }
  | { unit: 'days'; days: number; hours: number };

/**
 * Rounds up: "starts in 4 minutes" while 3 min 10 s remain, so it never says
 * "0 minutes" before the time has come.
 */
export function countdown(remainingMs: number): Countdown {
  if (remainingMs <= 0) return { unit: 'due' };
  if (remainingMs < MINUTE_MS) return { unit: 'underMinute' };
  const totalMinutes = Math.ceil(remainingMs / MINUTE_MS);
  if (totalMinutes < 60) return { unit: 'minutes', minutes: totalMinutes };
  if (totalMinutes < 24 * 60)
    return { unit: 'hours', hours: Math.floor(totalMinutes / 60), minutes: totalMinutes % 60 };
  const totalHours = Math.floor(totalMinutes / 60);
  return { unit: 'days', days: Math.floor(totalHours / 24), hours: totalHours % 24 };
}
