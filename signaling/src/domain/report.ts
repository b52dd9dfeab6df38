/** Post-lesson attendance from the join/leave log, with each classroom's time per quality level. Pure. */
import type { ReportRow } from '@cloudschool/protocol';
import type { QualityTime } from '../store/entities/quality.ts';
import type { AttendanceEvent, Classroom, Lesson, School } from './types.ts';

/** Joining later than this after the lesson began counts as late. */
export const LATE_AFTER_MS = 5 * 60_000;

export interface Presence {
  firstJoin: number | null;
  lastLeave: number | null;
  presentMs: number;
}

export type Attendance = 'absent' | 'late' | 'on_time';

/** When a lesson began (the host's start, else its scheduled start) and until when presence counts. */
export function lessonSpan(lesson: Lesson, now: number): { from: number; to: number } {
  const began = lesson.startedAt ?? lesson.startsAt;
  return { from: began, to: Math.min(lesson.endedAt ?? lesson.endsAt, Math.max(now, began)) };
}

/** Absent: never present; late: first joined more than LATE_AFTER_MS after the lesson began. */
export function attendanceOf(p: Presence | undefined, began: number): Attendance {
  if (p === undefined || p.presentMs <= 0) return 'absent';
  return (p.firstJoin ?? 0) > began + LATE_AFTER_MS ? 'late' : 'on_time';
}

/**
 * Time present per classroom: a classroom may have several connections at
 * once (a reload overlaps), so it is present while at least one is open.
 * Presence is clipped to the lesson's actual span (started → ended).
 */
export function presence(
  events: AttendanceEvent[],
  span: { from: number; to: number },
): Map<string, Presence> {
  const open = new Map<string, { count: number; since: number }>();
  const result = new Map<string, Presence>();
  const ordered = [...events].sort((a, b) => a.at - b.at);
  const entry = (id: string): Presence => {
    let p = result.get(id);
    if (!p) result.set(id, (p = { firstJoin: null, lastLeave: null, presentMs: 0 }));
    return p;
  };
  const add = (p: Presence, from: number, to: number): void => {
    const a = Math.max(from, span.from);
    const b = Math.min(to, span.to);
    if (b > a) p.presentMs += b - a;
  };
  for (const e of ordered) {
    const p = entry(e.classroomId);
    const o = open.get(e.classroomId) ?? { count: 0, since: e.at };
    if (e.kind === 'join') {
      if (o.count === 0) o.since = e.at;
      o.count++;
      p.firstJoin ??= e.at;
    } else if (o.count > 0) {
      o.count--;
      if (o.count === 0) add(p, o.since, e.at);
      p.lastLeave = e.at;
    }
    open.set(e.classroomId, o);
  }
  for (const [id, o] of open) if (o.count > 0) add(entry(id), o.since, span.to);
  return result;
}

export function attendanceReport(
  lesson: Lesson,
  events: AttendanceEvent[],
  classrooms: Map<string, Classroom>,
  schools: Map<string, School>,
  now: number,
  quality: Map<string, QualityTime> = new Map(),
): ReportRow[] {
  const minutes = (ms: number | undefined): number => Math.round((ms ?? 0) / 6_000) / 10;
  const span = lessonSpan(lesson, now);
  const byClassroom = presence(events, span);
  const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
  return lesson.invitedClassroomIds.map((id) => {
    const classroom = classrooms.get(id);
    const p = byClassroom.get(id);
    return {
      classroomId: id,
      classroomName: classroom?.name ?? id,
      schoolName: (classroom && schools.get(classroom.schoolId)?.name) ?? '',
      firstJoinAt: iso(p?.firstJoin ?? null),
      lastLeaveAt: iso(p?.lastLeave ?? null),
      // Tenths of a minute: a short visit still shows as present.
      minutesPresent: minutes(p?.presentMs),
      attendance: attendanceOf(p, span.from),
      qualityMinutes: {
        good: minutes(quality.get(id)?.goodMs),
        fair: minutes(quality.get(id)?.fairMs),
        poor: minutes(quality.get(id)?.poorMs),
        bad: minutes(quality.get(id)?.badMs),
      },
    };
  });
}
