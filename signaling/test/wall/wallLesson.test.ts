import { describe, expect, it } from 'vitest';
import type { WallLesson } from '@cloudschool/protocol';
import { ALERT_DELAYS, mergeWallLessons, onWall, UNATTENDED, wallLesson } from '../../src/wall/wallLesson.ts';
import type { ClassroomFacts, LessonFacts } from '../../src/wall/wallLesson.ts';
import { LESSON } from '../support/lessonWorld.ts';

const START = 1_800_000_000_000;
const record = { ...LESSON, startsAt: START, endsAt: START + 45 * 60_000, status: 'live' as const };
const at = (minutes: number) => START + minutes * 60_000;

function facts(
  classrooms: Record<string, Partial<ClassroomFacts>>,
  host: Partial<LessonFacts> = {},
): LessonFacts {
  return {
    host: { connected: true, live: true, quality: 'good' },
    liveSince: START,
    offSince: null,
    recording: 'off',
    recordingStoppedAt: null,
    classroom: (id) => ({
      tile: { connected: true, handRaisedAt: null, onStage: false, quality: 'good', readiness: null },
      reconnecting: false,
      darkSince: null,
      poorSince: null,
      ...classrooms[id],
    }),
    ...host,
  };
}

/** The lesson's alerts, then its cells'. */
const kinds = (lesson: WallLesson) => [
  ...lesson.alerts.map((a) => `${a.kind}:-`),
  ...lesson.classrooms.flatMap((c) => (c.alert ? [`${c.alert.kind}:${c.classroomId}`] : [])),
];
const absent: Partial<ClassroomFacts> = {
  tile: { connected: false, handRaisedAt: null, onStage: false, quality: 'unknown', readiness: null },
};

describe('wallLesson', () => {
  it('is on the wall from 15 minutes before its start until it ends', () => {
    const scheduled = { ...record, status: 'scheduled' as const };
    expect(onWall(scheduled, START - 16 * 60_000)).toBeNull();
    expect(onWall(scheduled, START - 14 * 60_000)).toBe('open');
    expect(onWall(record, START + 1)).toBe('live');
    expect(onWall({ ...record, status: 'ended' }, START + 1)).toBeNull();
    expect(onWall({ ...record, status: 'cancelled' }, START + 1)).toBeNull();
  });

  it('gives every invited classroom a cell: absent, waiting before the start, connected, reconnecting', () => {
    const f = facts({ c1: absent, c3: { reconnecting: true } });
    expect(wallLesson(record, 'live', f, at(1), ALERT_DELAYS).classrooms.map((c) => c.presence)).toEqual([
      'absent',
      'connected',
      'reconnecting',
    ]);
    expect(wallLesson(record, 'open', f, at(-5), ALERT_DELAYS).classrooms.map((c) => c.presence)).toEqual([
      'absent',
      'waiting',
      'reconnecting',
    ]);
  });

  it('carries a connected classroom’s self-check: what holds it back', () => {
    const f = facts({
      c1: {
        tile: {
          connected: true,
          handRaisedAt: null,
          onStage: false,
          quality: 'unknown',
          readiness: {
            state: 'not_ready',
            failures: [{ check: 'camera', reason: 'not_found' }],
            warnings: [{ check: 'speaker', reason: 'not_heard' }],
          },
        },
      },
      c2: absent,
    });
    const cells = wallLesson(record, 'open', f, at(-5), ALERT_DELAYS).classrooms;
    expect(cells[0]?.readiness).toEqual({
      state: 'not_ready',
      failures: [{ check: 'camera', reason: 'not_found' }],
    });
    expect(cells[1]?.readiness).toBeNull();
  });

  it('raises each alert once its condition held its delay, not before', () => {
    const f = facts(
      {
        c1: absent,
        c2: { darkSince: at(10) },
        c3: {
          poorSince: at(10),
          tile: { connected: true, handRaisedAt: null, onStage: false, quality: 'poor', readiness: null },
        },
      },
      { host: { connected: true, live: false, quality: 'good' }, liveSince: null, offSince: at(10) },
    );
    // The host stopped at 10:00: nothing is dark without a broadcast; the others wait for their delays.
    expect(kinds(wallLesson(record, 'live', f, at(4.9), ALERT_DELAYS))).toEqual([]);
    expect(kinds(wallLesson(record, 'live', f, at(5), ALERT_DELAYS))).toEqual(['absent:c1']);
    expect(kinds(wallLesson(record, 'live', f, at(11), ALERT_DELAYS))).toEqual([
      'host_offline:-',
      'absent:c1',
      'poor:c3',
    ]);
    const broadcasting = {
      ...f,
      host: { connected: true, live: true, quality: 'good' as const },
      liveSince: at(9),
      offSince: null,
    };
    expect(kinds(wallLesson(record, 'live', broadcasting, at(10.49), ALERT_DELAYS))).toEqual(['absent:c1']);
    expect(kinds(wallLesson(record, 'live', broadcasting, at(10.5), ALERT_DELAYS))).toEqual([
      'absent:c1',
      'dark:c2',
    ]);
  });

  it('counts darkness from the broadcast start, not from before it', () => {
    const f = facts({ c1: { darkSince: at(0) } }, { liveSince: at(3) });
    const lesson = wallLesson(record, 'live', f, at(3.2), ALERT_DELAYS);
    expect(lesson.classrooms[0]?.darkSince).toBe(at(3));
    expect(kinds(lesson)).toEqual([]);
  });

  it('says when a recording stopped by itself', () => {
    const f = facts({}, { recording: 'stopped', recordingStoppedAt: at(7) });
    expect(kinds(wallLesson(record, 'live', f, at(7), ALERT_DELAYS))).toEqual(['recording_stopped:-']);
  });

  it('shows a lesson nobody runs with everyone absent and the host offline after the start', () => {
    const lesson = wallLesson(record, 'live', UNATTENDED, at(6), ALERT_DELAYS);
    expect(lesson.classrooms.every((c) => c.presence === 'absent' && c.quality === 'unknown')).toBe(true);
    expect(kinds(lesson)).toEqual(['host_offline:-', 'absent:c1', 'absent:c2', 'absent:c3']);
  });

  it('merges copies of a lesson several nodes run: the latest, and darkness from the node that serves it', () => {
    const older = wallLesson(record, 'live', facts({ c2: { darkSince: at(1) } }), at(2), ALERT_DELAYS);
    const newer = wallLesson(
      record,
      'live',
      facts({
        c1: {
          tile: { connected: true, handRaisedAt: 'x', onStage: false, quality: 'fair', readiness: null },
        },
      }),
      at(2) + 500,
      ALERT_DELAYS,
    );
    const merged = mergeWallLessons([older, newer]);
    expect(merged.at).toBe(newer.at);
    expect(merged.classrooms[0]).toMatchObject({ hand: true, quality: 'fair' });
    expect(merged.classrooms[1]?.darkSince).toBe(at(1));
    expect(kinds(merged)).toEqual(['dark:c2']);
    expect(mergeWallLessons([newer])).toBe(newer);
  });
});
