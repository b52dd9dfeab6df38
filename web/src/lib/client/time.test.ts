import { describe, expect, it } from 'vitest';
import {
  addDays,
  clockOffset,
  countdown,
  dayRange,
  formatDay,
  formatRange,
  formatTime,
  formatTimeRange,
  isDateString,
  isTimeString,
  lessonEndDate,
  minutesIntoDay,
  minutesToTime,
  mondayOf,
  nextWholeHour,
  timeToMinutes,
  weekDays,
  weekdayIndex,
  weekRange,
  zonedDate,
  zonedTime,
  zonedToUtc,
  zoneOffsetMs,
} from './time.ts';

const SH = 'Asia/Shanghai';

describe('zoned date and time → ISO UTC and back', () => {
  it('reads a Shanghai wall clock as UTC+8', () => {
    expect(zonedToUtc('2026-11-28', '14:00', SH)).toBe('2026-11-28T06:00:00.000Z');
    expect(zonedToUtc('2026-11-28', '07:59', SH)).toBe('2026-11-27T23:59:00.000Z');
    expect(zonedToUtc('2027-01-01', '00:00', SH)).toBe('2026-12-31T16:00:00.000Z');
  });

  it('goes back to the same date and time', () => {
    for (const [date, time] of [
      ['2026-11-28', '14:00'],
      ['2026-11-29', '00:00'],
      ['2026-02-28', '23:59'],
      ['2028-02-29', '08:30'],
    ] as const) {
      const iso = zonedToUtc(date, time, SH);
      expect(zonedDate(iso, SH)).toBe(date);
      expect(zonedTime(iso, SH)).toBe(time);
    }
  });

  it('does not depend on the zone of the PC', () => {
    // A UTC instant late in the day is already tomorrow in Shanghai.
    expect(zonedDate('2026-11-28T17:30:00Z', SH)).toBe('2026-11-29');
    expect(zonedTime('2026-11-28T17:30:00Z', SH)).toBe('01:30');
    expect(zonedDate('2026-11-28T17:30:00Z', 'UTC')).toBe('2026-11-28');
  });

  it('follows daylight saving time where a school has it', () => {
    expect(zoneOffsetMs(Date.parse('2026-07-01T00:00:00Z'), 'Europe/Berlin')).toBe(2 * 3600_000);
    expect(zoneOffsetMs(Date.parse('2026-12-01T00:00:00Z'), 'Europe/Berlin')).toBe(3600_000);
    expect(zonedToUtc('2026-07-01', '09:00', 'Europe/Berlin')).toBe('2026-07-01T07:00:00.000Z');
    expect(zonedToUtc('2026-12-01', '09:00', 'Europe/Berlin')).toBe('2026-12-01T08:00:00.000Z');
    // The morning after the clocks went forward (29 March 2026).
    expect(zonedToUtc('2026-03-29', '09:00', 'Europe/Berlin')).toBe('2026-03-29T07:00:00.000Z');
  });

  it('refuses what is not a date and a time', () => {
    expect(() => zonedToUtc('2026-02-30', '10:00', SH)).toThrow(RangeError);
    expect(() => zonedToUtc('2026-11-28', '24:00', SH)).toThrow(RangeError);
    expect(() => zonedToUtc('28/11/2026', '10:00', SH)).toThrow(RangeError);
  });

  it('gives minutes into the zone day', () => {
    expect(minutesIntoDay('2026-11-28T06:05:00Z', SH)).toBe(14 * 60 + 5);
    expect(minutesIntoDay('2026-11-27T16:00:00Z', SH)).toBe(0);
  });
});

describe('times of day', () => {
  it('converts between HH:mm and minutes, within the day', () => {
    expect(timeToMinutes('14:45')).toBe(885);
    expect(minutesToTime(885)).toBe('14:45');
    expect(minutesToTime(24 * 60 + 30)).toBe('23:59');
    expect(minutesToTime(-10)).toBe('00:00');
  });

  it('ends a lesson the next day when its end is at or before its start, up to 12 hours long', () => {
    expect(lessonEndDate('2026-12-07', '09:00', '09:45')).toBe('2026-12-07');
    expect(lessonEndDate('2026-12-07', '23:56', '00:55')).toBe('2026-12-08');
    expect(lessonEndDate('2026-12-31', '20:00', '08:00')).toBe('2027-01-01');
    expect(lessonEndDate('2026-12-07', '20:00', '08:01')).toBeNull();
    expect(lessonEndDate('2026-12-07', '10:00', '09:45')).toBeNull();
    expect(lessonEndDate('2026-12-07', '10:00', '10:00')).toBeNull();
  });

  it('proposes the next whole hour in the zone', () => {
    expect(nextWholeHour(Date.parse('2026-11-28T06:20:00Z'), SH)).toEqual({
      date: '2026-11-28',
      time: '15:00',
    });
    expect(nextWholeHour(Date.parse('2026-11-28T15:59:00Z'), SH)).toEqual({
      date: '2026-11-29',
      time: '00:00',
    });
  });
});

describe('weeks in Asia/Shanghai', () => {
  it('starts weeks on Monday', () => {
    expect(weekdayIndex('2026-11-23')).toBe(0); // Monday
    expect(weekdayIndex('2026-11-29')).toBe(6); // Sunday
    expect(mondayOf('2026-11-28')).toBe('2026-11-23');
    expect(mondayOf('2026-11-29')).toBe('2026-11-23');
    expect(mondayOf('2026-11-30')).toBe('2026-11-30');
    expect(mondayOf('2027-01-01')).toBe('2026-12-28');
  });

  it('bounds a week by Shanghai midnights', () => {
    expect(weekRange('2026-11-28', SH)).toEqual({
      from: '2026-11-22T16:00:00.000Z',
      to: '2026-11-29T16:00:00.000Z',
    });
    expect(dayRange('2026-11-28', SH)).toEqual({
      from: '2026-11-27T16:00:00.000Z',
      to: '2026-11-28T16:00:00.000Z',
    });
  });

  it('lists the seven days across a month and a year end', () => {
    expect(weekDays('2026-12-28')).toEqual([
      '2026-12-28',
      '2026-12-29',
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
      '2027-01-03',
    ]);
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('checks input values', () => {
    expect(isDateString('2026-11-28')).toBe(true);
    expect(isDateString('2026-13-01')).toBe(false);
    expect(isDateString('2026-11-31')).toBe(false);
    expect(isTimeString('08:05')).toBe(true);
    expect(isTimeString('8:05')).toBe(false);
    expect(isTimeString('23:60')).toBe(false);
  });
});

describe('display', () => {
  it('shows times on a 24-hour clock in the lesson zone', () => {
    expect(formatTime('2026-11-28T06:05:00Z', SH, 'zh-CN')).toBe('14:05');
    expect(formatTime('2026-11-28T06:05:00Z', SH, 'en')).toBe('14:05');
  });

  it('names the date once for a lesson within a day', () => {
    const zh = formatRange('2026-11-28T06:00:00Z', '2026-11-28T06:45:00Z', SH, 'zh-CN');
    expect(zh).toContain('11月28日');
    expect(zh).toMatch(/14:00–14:45$/);
    expect(formatDay('2026-11-23', 'en')).toContain('23');
  });

  it('marks the end of a lesson across midnight as the next day', () => {
    expect(formatTimeRange('2026-11-28T06:00:00Z', '2026-11-28T06:45:00Z', SH, 'zh-CN')).toBe('14:00–14:45');
    // 23:30–00:30 in Shanghai, one UTC day.
    expect(formatTimeRange('2026-11-28T15:30:00Z', '2026-11-28T16:30:00Z', SH, 'zh-CN')).toBe(
      '23:30–次日 00:30',
    );
    expect(formatTimeRange('2026-11-28T15:30:00Z', '2026-11-28T16:30:00Z', SH, 'en')).toBe(
      '23:30–00:30 (next day)',
    );
    // The same instants in UTC: one day.
    expect(formatTimeRange('2026-11-28T15:30:00Z', '2026-11-28T16:30:00Z', 'UTC', 'zh-CN')).toBe(
      '15:30–16:30',
    );
  });
});

describe('countdown', () => {
  it('rounds up to whole minutes and never says zero', () => {
    expect(countdown(0)).toEqual({ unit: 'due' });
    expect(countdown(-5000)).toEqual({ unit: 'due' });
    expect(countdown(30_000)).toEqual({ unit: 'underMinute' });
    expect(countdown(60_000)).toEqual({ unit: 'minutes', minutes: 1 });
    expect(countdown(3 * 60_000 + 10_000)).toEqual({ unit: 'minutes', minutes: 4 });
    expect(countdown(59 * 60_000)).toEqual({ unit: 'minutes', minutes: 59 });
  });

  it('switches to hours, then days', () => {
    expect(countdown(60 * 60_000)).toEqual({ unit: 'hours', hours: 1, minutes: 0 });
    expect(countdown(95 * 60_000)).toEqual({ unit: 'hours', hours: 1, minutes: 35 });
    expect(countdown(26 * 3600_000)).toEqual({ unit: 'days', days: 1, hours: 2 });
  });

  it('measures the PC clock against the server', () => {
    const local = Date.parse('2026-11-28T06:00:00Z');
    expect(clockOffset('2026-11-28T06:02:00Z', local)).toBe(120_000);
    expect(clockOffset('2026-11-28T05:59:00Z', local)).toBe(-60_000);
    expect(clockOffset('not a time', local)).toBe(0);
  });
});
