/**
 * The coordinators' live wall (一张图): every live lesson of the district and each of its invited classrooms
 * as a cell. A coordinator's page asks once (`wall:watch`, answered with every lesson) and is then pushed the
 * lessons that changed (`wall:update`, at most one a second). Nodes of a cluster tell each other the lessons
 * they run in the same shape, so it is validated like every other edge.
 */
import { z } from 'zod';
import { qualityLevels } from './quality.ts';
import { readinessChecks, readinessResults } from './readiness.ts';

const id = z.string().min(1).max(128);
const time = z.int().min(0).max(8_640_000_000_000_000);
const level = z.enum([...qualityLevels, 'unknown', 'reconnecting']);

/**
 * Where a classroom is: `absent` (no page), `waiting` (its page is open before the lesson starts),
 * `connected`, `reconnecting` (its page lost its connection and may come back).
 */
export const wallPresences = ['absent', 'waiting', 'connected', 'reconnecting'] as const;
export type WallPresence = (typeof wallPresences)[number];

/** A check that did not pass, and why (protocol/readiness.ts ReadinessFailure). */
const readinessFailure = z.discriminatedUnion('check', [
  z.strictObject({
    check: z.literal('camera'),
    reason: z.enum(readinessResults.camera).exclude(['ok', 'pending']),
  }),
  z.strictObject({
    check: z.literal('microphone'),
    reason: z.enum(readinessResults.microphone).exclude(['ok', 'pending']),
  }),
  z.strictObject({
    check: z.literal('speaker'),
    reason: z.enum(readinessResults.speaker).exclude(['ok', 'pending']),
  }),
  z.strictObject({
    check: z.literal('network'),
    reason: z.enum(readinessResults.network).exclude(['ok', 'pending']),
  }),
  z.strictObject({
    check: z.literal('sound'),
    reason: z.enum(readinessResults.sound).exclude(['ok', 'pending']),
  }),
]);

/** What is wrong, in the order the wall shows it: the lesson's own, then a classroom's. */
export const wallAlertKinds = ['host_offline', 'recording_stopped', 'absent', 'dark', 'poor'] as const;
export type WallAlertKind = (typeof wallAlertKinds)[number];
const lessonAlertKinds = ['host_offline', 'recording_stopped'] as const;
const classroomAlertKinds = ['absent', 'dark', 'poor'] as const;

/** A condition that held long enough; `since`: when it began (epoch ms). */
const alertOf = <K extends readonly [string, ...string[]]>(kinds: K) =>
  z.strictObject({ kind: z.enum(kinds), since: time });

export const wallCell = z.strictObject({
  classroomId: id,
  presence: z.enum(wallPresences),
  quality: level,
  /** Since when (epoch ms) the classroom's page has decoded no frame of the host's broadcast; null if it does. */
  darkSince: time.nullable(),
  /** Since when its quality has been poor or bad; null otherwise. */
  poorSince: time.nullable(),
  onStage: z.boolean(),
  hand: z.boolean(),
  /** Its alert, if any (one per cell: absent, else dark, else poor). */
  alert: alertOf(classroomAlertKinds).nullable(),
  /** What its page's self-check found (what holds it back, not the warnings); null while no page is in. */
  readiness: z
    .strictObject({
      state: z.enum(['ready', 'not_ready', 'checking']),
      failures: z.array(readinessFailure).max(readinessChecks.length),
    })
    .nullable(),
});
export type WallCell = z.infer<typeof wallCell>;

export const wallLesson = z.strictObject({
  lessonId: id,
  title: z.string().max(200),
  hostTeacherId: id,
  startsAt: time,
  endsAt: time,
  status: z.enum(['scheduled', 'open', 'live']),
  host: z.strictObject({ connected: z.boolean(), live: z.boolean(), quality: level }),
  recording: z.enum(['off', 'recording', 'stopped']),
  /** Every invited classroom, in the invitation's order. */
  classrooms: z.array(wallCell).max(2000),
  /** The lesson's own alerts (its classrooms' are on their cells). */
  alerts: z.array(alertOf(lessonAlertKinds)).max(lessonAlertKinds.length),
  /** When the node that runs it last saw it change (epoch ms). */
  at: time,
});
export type WallLesson = z.infer<typeof wallLesson>;

/** An alert as the wall lists it: the lesson's own (classroomId null) or a classroom's. */
export interface WallAlert {
  kind: WallAlertKind;
  classroomId: string | null;
  since: number;
}

/**
 * What changed in a lesson already shown: everything but the cells (small), and the cells that changed. A
 * lesson's invitation changing, or a lesson new to the receiver, goes whole.
 */
export const wallPatch = z.strictObject({
  lessonId: id,
  head: wallLesson.omit({ classrooms: true }),
  cells: z.array(wallCell).max(2000),
});
export type WallPatch = z.infer<typeof wallPatch>;

export interface WallSnapshot {
  lessons: WallLesson[];
  /** The server's clock, for "since" ages on a PC whose clock is wrong (epoch ms). */
  serverTime: number;
}

/** A push: lessons new to the wall (whole), what changed in the others, and those no longer on it. */
export interface WallUpdate {
  lessons: WallLesson[];
  patches: WallPatch[];
  gone: string[];
  serverTime: number;
}

const sameReadiness = (a: WallCell['readiness'], b: WallCell['readiness']): boolean =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.state === b.state &&
    a.failures.length === b.failures.length &&
    a.failures.every((f, i) => f.check === b.failures[i]?.check && f.reason === b.failures[i]?.reason));

function sameCell(a: WallCell, b: WallCell): boolean {
  return (
    a.classroomId === b.classroomId &&
    a.presence === b.presence &&
    a.quality === b.quality &&
    a.darkSince === b.darkSince &&
    a.poorSince === b.poorSince &&
    a.onStage === b.onStage &&
    a.hand === b.hand &&
    a.alert?.kind === b.alert?.kind &&
    a.alert?.since === b.alert?.since &&
    sameReadiness(a.readiness, b.readiness)
  );
}

function sameHead(a: WallLesson, b: WallLesson): boolean {
  return (
    a.title === b.title &&
    a.hostTeacherId === b.hostTeacherId &&
    a.startsAt === b.startsAt &&
    a.endsAt === b.endsAt &&
    a.status === b.status &&
    a.host.connected === b.host.connected &&
    a.host.live === b.host.live &&
    a.host.quality === b.host.quality &&
    a.recording === b.recording &&
    a.alerts.length === b.alerts.length &&
    a.alerts.every((x, i) => {
      const y = b.alerts[i];
      return y !== undefined && x.kind === y.kind && x.since === y.since;
    })
  );
}

/**
 * `next` as a change of `prev`: null when nothing but its time changed, the whole lesson when its classrooms
 * are not the same ones (the invitation changed), else a patch. Field by field, no JSON: the wall compares
 * 50 × 800 cells every second.
 */
export function diffWallLesson(prev: WallLesson, next: WallLesson): WallPatch | WallLesson | null {
  const a = prev.classrooms;
  const b = next.classrooms;
  if (a.length !== b.length || a.some((cell, i) => cell.classroomId !== b[i]?.classroomId)) return next;
  const cells = b.filter((cell, i) => !sameCell(a[i]!, cell));
  if (cells.length === 0 && sameHead(prev, next)) return null;
  const { classrooms: _cells, ...head } = next;
  return { lessonId: next.lessonId, head, cells };
}

/** A patch applied to the lesson it was made against (cells by classroom; any other stays). */
export function patchWallLesson(lesson: WallLesson, patch: WallPatch): WallLesson {
  const changed = new Map(patch.cells.map((cell) => [cell.classroomId, cell]));
  return {
    ...patch.head,
    classrooms:
      changed.size === 0 ? lesson.classrooms : lesson.classrooms.map((c) => changed.get(c.classroomId) ?? c),
  };
}

export const isWallPatch = (change: WallPatch | WallLesson): change is WallPatch => 'head' in change;

export const wallSchemas = {
  /** A coordinator's page starts watching the wall; the answer is every lesson on it. */
  'wall:watch': z.strictObject({}),
} as const;
