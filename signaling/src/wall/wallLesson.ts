import type { ClassroomTile, QualityLevel, WallCell, WallLesson, WallPresence } from '@cloudschool/protocol';
import { lessonStatus } from '../domain/lessonStatus.ts';
import type { Lesson } from '../domain/types.ts';

/** How long a condition holds before it is an alert. `absentMs` is counted from the lesson's start. */
export interface AlertDelays {
  absentMs: number;
  darkMs: number;
  poorMs: number;
  /** The host not broadcasting after the start (or after the broadcast stopped). */
  hostMs: number;
}

export const ALERT_DELAYS: AlertDelays = {
  absentMs: 5 * 60_000,
  darkMs: 30_000,
  poorMs: 60_000,
  hostMs: 60_000,
};

/** What the node running a lesson knows of one invited classroom. */
export interface ClassroomFacts {
  tile: Pick<ClassroomTile, 'connected' | 'handRaisedAt' | 'onStage' | 'quality' | 'readiness'> | undefined;
  /** Every page of it lost its connection and may come back. */
  reconnecting: boolean;
  /** Since when its page has decoded nothing, by its own reports (null: it decodes). */
  darkSince: number | null;
  /** Since when its level has been poor or bad, as this node saw it. */
  poorSince: number | null;
}

/** What the node running a lesson knows of it. */
export interface LessonFacts {
  host: { connected: boolean; live: boolean; quality: QualityLevel };
  /** Since when the host has broadcast without a break (null: not broadcasting). */
  liveSince: number | null;
  /** Since when the host has not broadcast (null: broadcasting), as this node saw it. */
  offSince: number | null;
  recording: WallLesson['recording'];
  /** When the recording stopped by itself (disk full, ffmpeg failed); null otherwise. */
  recordingStoppedAt: number | null;
  classroom(classroomId: string): ClassroomFacts;
}

/** The wall's statuses: a lesson leaves the wall once it ended or was cancelled. */
export function onWall(record: Lesson, now: number): WallLesson['status'] | null {
  const status = lessonStatus(record, now);
  return status === 'open' || status === 'live' ? status : null;
}

const NOBODY: ClassroomFacts = { tile: undefined, reconnecting: false, darkSince: null, poorSince: null };

/** A lesson no node runs: nobody has joined it. */
export const UNATTENDED: LessonFacts = {
  host: { connected: false, live: false, quality: 'unknown' },
  liveSince: null,
  offSince: null,
  recording: 'off',
  recordingStoppedAt: null,
  classroom: () => NOBODY,
};

/** One lesson on the wall, its alerts judged at `now`. */
export function wallLesson(
  record: Lesson,
  status: WallLesson['status'],
  facts: LessonFacts,
  now: number,
  delays: AlertDelays,
): WallLesson {
  const held = (since: number, delay: number): boolean => now - since >= delay;
  const absentAlert = held(record.startsAt, delays.absentMs)
    ? ({ kind: 'absent', since: record.startsAt } as const)
    : null;
  const classrooms = record.invitedClassroomIds.map((classroomId) => {
    const cell = wallCell(classroomId, status, facts.classroom(classroomId), facts.liveSince);
    if (cell.presence === 'absent') cell.alert = absentAlert;
    else if (cell.darkSince !== null && held(cell.darkSince, delays.darkMs)) {
      cell.alert = { kind: 'dark', since: cell.darkSince };
    } else if (cell.poorSince !== null && held(cell.poorSince, delays.poorMs)) {
      cell.alert = { kind: 'poor', since: cell.poorSince };
    }
    return cell;
  });
  const alerts: WallLesson['alerts'] = [];
  if (now >= record.startsAt && !facts.host.live) {
    const since = Math.max(record.startsAt, facts.offSince ?? record.startsAt);
    if (held(since, delays.hostMs)) alerts.push({ kind: 'host_offline', since });
  }
  if (facts.recording === 'stopped' && facts.recordingStoppedAt !== null) {
    alerts.push({ kind: 'recording_stopped', since: facts.recordingStoppedAt });
  }
  return {
    lessonId: record.id,
    title: record.title,
    hostTeacherId: record.hostTeacherId,
    startsAt: record.startsAt,
    endsAt: record.endsAt,
    status,
    host: facts.host,
    recording: facts.recording,
    classrooms,
    alerts,
    at: now,
  };
}

/** A classroom's cell, its alert still to judge. */
function wallCell(
  classroomId: string,
  status: WallLesson['status'],
  facts: ClassroomFacts,
  liveSince: number | null,
): WallCell {
  const { tile } = facts;
  let presence: WallPresence = 'absent';
  if (tile?.connected)
    presence = facts.reconnecting ? 'reconnecting' : status === 'live' ? 'connected' : 'waiting';
  const connected = presence === 'connected';
  return {
    classroomId,
    presence,
    quality: tile?.connected ? tile.quality : 'unknown',
    // Dark only counts while there is a broadcast to see, and from when it started.
    darkSince:
      connected && liveSince !== null && facts.darkSince !== null
        ? Math.max(facts.darkSince, liveSince)
        : null,
    poorSince: connected ? facts.poorSince : null,
    onStage: Boolean(tile?.onStage),
    hand: Boolean(tile?.handRaisedAt),
    alert: null,
    readiness:
      tile?.connected && tile.readiness
        ? { state: tile.readiness.state, failures: tile.readiness.failures }
        : null,
  };
}

/**
 * The same lesson as several nodes run it (each serves some of its pages): the latest for what every node
 * knows (who is connected, levels, hands, stage), and a cell's darkness (and its alert) from whichever node
 * serves its page.
 */
export function mergeWallLessons(copies: readonly WallLesson[]): WallLesson {
  const latest = copies.reduce((a, b) => (b.at > a.at ? b : a));
  if (copies.length === 1) return latest;
  const dark = new Map<string, WallCell>();
  for (const copy of copies) {
    for (const cell of copy.classrooms) if (cell.darkSince !== null) dark.set(cell.classroomId, cell);
  }
  return {
    ...latest,
    classrooms: latest.classrooms.map((cell) => {
      const elsewhere = dark.get(cell.classroomId);
      if (cell.darkSince !== null || !elsewhere || cell.presence !== 'connected') return cell;
      return {
        ...cell,
        darkSince: elsewhere.darkSince,
        alert: elsewhere.alert?.kind === 'dark' ? elsewhere.alert : cell.alert,
      };
    }),
  };
}
