/**
 * Wall clocks and offsets of IANA time zones, with Intl only (no tz database
 * to ship): shared by the server (schedules, "today") and the pages.
 */

/** The longest lesson the server schedules; the lesson form reads an end before the start as the next day within it. */
export const MAX_LESSON_MS = 12 * 3600_000;

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}
const partFormatters = new Map<string, Intl.DateTimeFormat>();

function partFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = partFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock in `timeZone` at an instant. */
export function wallClock(instant: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of partFormatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** How far `timeZone` is ahead of UTC at an instant, in milliseconds. */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const wall = wallClock(instant, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  // The wall clock has no milliseconds: compare with the instant's whole second.
  return asUtc - Math.floor(instant / 1000) * 1000;
}

// Calendar days as `YYYY-MM-DD` (what `<input type="date">` holds): plain calendar arithmetic, no zone.

const DAY_MS = 86_400_000;
const two = (n: number): string => String(n).padStart(2, '0');

function dateParts(date: string): [number, number, number] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`not a date: ${date}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function fromUtcDay(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
}

/** The calendar day in `timeZone` at an instant. */
export function calendarDate(instant: number, timeZone: string): string {
  const wall = wallClock(instant, timeZone);
  return `${String(wall.year).padStart(4, '0')}-${two(wall.month)}-${two(wall.day)}`;
}

export function addDays(date: string, days: number): string {
  const [year, month, day] = dateParts(date);
  return fromUtcDay(Date.UTC(year, month - 1, day) + days * DAY_MS);
}

/** 0 = Monday … 6 = Sunday, as Chinese calendars count the week. */
export function weekdayIndex(date: string): number {
  const [year, month, day] = dateParts(date);
  return (new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7;
}

/** The Monday of the week that holds `date`. */
export function mondayOf(date: string): string {
  return addDays(date, -weekdayIndex(date));
}
