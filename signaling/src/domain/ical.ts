/** An iCalendar (RFC 5545) feed of one classroom's lessons. */
import type { Lesson } from './types.ts';

const stamp = (t: number): string =>
  new Date(t)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
/** Escapes TEXT values and folds nothing: our values are short. */
const text = (s: string): string =>
  s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\n/g, '\\n');

export function classroomCalendar(
  calendarName: string,
  lessons: Lesson[],
  joinUrl: (l: Lesson) => string,
): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//CloudSchool//Lessons//ZH',
    'CALSCALE:GREGORIAN',
    `X-WR-CALNAME:${text(calendarName)}`,
  ];
  for (const l of lessons) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${l.id}@cloudschool`,
      `DTSTAMP:${stamp(l.updatedAt)}`,
      `DTSTART:${stamp(l.startsAt)}`,
      `DTEND:${stamp(l.endsAt)}`,
      `SUMMARY:${text(`${l.title}（${l.subject}·${l.grade}）`)}`,
      `URL:${joinUrl(l)}`,
      `STATUS:${l.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}
