/**
 * npm run bench:wall — what the coordinators' wall costs the server for 50 live lessons × 800 classrooms: the
 * wall itself (signaling/src/wall/Wall.ts, in this process) judging every lesson each second, with lessons that
 * stand for running ones (their host side's views, the pages' reports) changing as they would: quiet, a
 * lesson's ordinary second (1 % of its classrooms change level, a few hands), and a join storm (every lesson's
 * 800 classrooms joining within a minute at once). Measured per one-second judgement: CPU time, lessons pushed,
 * and the bytes of the push as Socket.IO sends it (its JSON, encoded once per push for every coordinator): a
 * lesson already shown goes as what changed in it (its head and changed cells). The
 * views' own cost (made by each lesson for its host side anyway) is not counted.
 * Writes bench/results/wall.{md,json}.
 */
import os from 'node:os';
import type {
  ClassroomTile,
  InteractionState,
  LessonState,
  QualityLevel,
  WallUpdate,
} from '@cloudschool/protocol';
import type { LiveLesson } from '../signaling/src/lesson/LiveLesson.ts';
import type { Lesson } from '../signaling/src/domain/types.ts';
import { pino } from 'pino';
import { Wall } from '../signaling/src/wall/Wall.ts';
import { distribution, gitCommit, machine, round, writeResults } from './support/report.ts';
import type { Distribution } from './support/report.ts';

const LESSONS = Number(process.env.BENCH_LESSONS ?? 50);
const CLASSROOMS = Number(process.env.BENCH_CLASSROOMS ?? 800);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const START = Date.UTC(2026, 11, 7, 0, 0, 0);
const LEVELS: QualityLevel[] = ['good', 'fair', 'poor', 'bad'];

/** A deterministic random (mulberry32): the same run each time. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A running lesson as the wall reads it: its record, its host side's view, what its pages report. */
class SimulatedLesson {
  readonly record: Lesson;
  readonly tiles: ClassroomTile[];
  readonly dark = new Map<string, number>();

  constructor(i: number) {
    const invited = Array.from({ length: CLASSROOMS }, (_, c) => `l${i}-c${c}`);
    this.record = {
      id: `lesson-${i}`,
      title: `双师课堂 ${i}`,
      subject: '数学',
      grade: '六年级',
      hostClassroomId: `host-${i}`,
      hostTeacherId: `teacher-${i}`,
      startsAt: START,
      endsAt: START + 45 * 60_000,
      invitedClassroomIds: invited,
      seriesId: null,
      status: 'live',
      startedAt: START,
      endedAt: null,
      createdBy: 'coordinator',
      createdAt: START - 86_400_000,
      updatedAt: START - 86_400_000,
    };
    this.tiles = invited.map((classroomId) => ({
      classroomId,
      name: classroomId,
      connected: false,
      cameraProducerId: null,
      handRaisedAt: null,
      onStage: false,
      unread: 0,
      quality: 'unknown',
      readiness: null,
    }));
  }

  /** What the wall reads of a LiveLesson. */
  live(): LiveLesson {
    const state = {
      host: { connected: true, live: true },
      recording: { status: 'recording', startedAt: new Date(START).toISOString(), problem: null },
    } as unknown as LessonState;
    return {
      id: this.record.id,
      closed: false,
      info: { status: 'live' },
      state: () => state,
      pagesOf: () => [],
      quality: { darkSince: (classroomId: string) => this.dark.get(classroomId) ?? null },
    } as unknown as LiveLesson;
  }

  /** The host side's view after a change, as the lesson pushes it (a new tiles array each time). */
  staff(): InteractionState {
    return {
      stage: [],
      stageCapacity: 4,
      hands: [],
      questions: [],
      quiz: null,
      tiles: this.tiles.map((t) => ({ ...t })),
      hostQuality: 'good',
      deviceRequests: [],
    };
  }
}

interface Scenario {
  name: string;
  what: string;
  /** Changes a lesson's classrooms in second `s`; true if anything changed. */
  step(lesson: SimulatedLesson, s: number, rnd: () => number, now: number): boolean;
  /** Everyone connected before it starts. */
  connected: boolean;
}

const scenarios: Scenario[] = [
  {
    name: 'quiet',
    what: 'every classroom connected, nothing changes',
    connected: true,
    step: () => false,
  },
  {
    name: 'ordinary',
    what: 'every second, in every lesson: 1 % of classrooms change level, 2 hands up or down, 1 picture dark or back',
    connected: true,
    step: (lesson, _s, rnd, now) => {
      for (let k = 0; k < Math.ceil(CLASSROOMS / 100); k++) {
        const tile = lesson.tiles[Math.floor(rnd() * CLASSROOMS)]!;
        tile.quality = LEVELS[Math.floor(rnd() * LEVELS.length)]!;
      }
      for (let k = 0; k < 2; k++) {
        const tile = lesson.tiles[Math.floor(rnd() * CLASSROOMS)]!;
        tile.handRaisedAt = tile.handRaisedAt ? null : new Date(now).toISOString();
      }
      const dark = lesson.record.invitedClassroomIds[Math.floor(rnd() * CLASSROOMS)]!;
      if (lesson.dark.has(dark)) lesson.dark.delete(dark);
      else lesson.dark.set(dark, now);
      return true;
    },
  },
  {
    name: 'join-storm',
    what: `every lesson's ${CLASSROOMS} classrooms join within a minute, all lessons at once`,
    connected: false,
    step: (lesson, s) => {
      const from = Math.floor((s * CLASSROOMS) / 60);
      const to = Math.min(CLASSROOMS, Math.floor(((s + 1) * CLASSROOMS) / 60));
      for (let c = from; c < to; c++) {
        const tile = lesson.tiles[c]!;
        tile.connected = true;
        tile.quality = 'good';
      }
      return to > from;
    },
  },
];

interface ScenarioResult {
  name: string;
  what: string;
  /** CPU time of one judgement (ms): what the wall costs per second. */
  cpuMsPerSecond: Distribution;
  /** Lessons pushed per second, and the push's bytes. */
  lessonsPerPush: Distribution;
  bytesPerPush: Distribution;
  /** Of those, the time to encode the push once (JSON). */
  encodeMs: Distribution;
  /** Alerts written to the store for the reports (new or ended), per second. */
  alertWritesPerSecond: number;
  heapMiB: number;
}

async function runScenario(scenario: Scenario): Promise<ScenarioResult> {
  const lessons = Array.from({ length: LESSONS }, (_, i) => new SimulatedLesson(i));
  if (scenario.connected) {
    for (const lesson of lessons)
      for (const tile of lesson.tiles) Object.assign(tile, { connected: true, quality: 'good' });
  }
  let now = START + 5 * 60_000;
  let alertWrites = 0;
  const pushes: WallUpdate[] = [];
  const wall = Wall.create({
    store: {
      listLessons: async () => lessons.map((l) => l.record),
      // The alerts' writes are the store's cost, not the wall's: counted, not written.
      putLessonAlerts: async (_lessonId, alerts) => void (alertWrites += alerts.length),
      listLessonAlerts: async () => [],
    },
    running: () => lessons.map((l) => l.live()),
    fabric: { nodeId: 'bench', shareWall: () => undefined, onWall: () => undefined },
    push: (update) => pushes.push(update),
    log: pino({ level: 'silent' }),
    now: () => now,
  });
  const audience = wall.audience({
    staffState: () => undefined,
    classroomState: () => undefined,
    interaction: () => undefined,
    chat: () => undefined,
    boardOp: () => undefined,
    mediaReset: () => undefined,
    consumerClosed: () => undefined,
  });
  const push = (lesson: SimulatedLesson) =>
    audience.interaction(lesson.record.id, { staff: lesson.staff(), classrooms: lesson.staff() });
  for (const lesson of lessons) push(lesson);
  // The first judgement reads the records and shows everything: not what a second costs.
  wall.tick();
  await new Promise((resolve) => setTimeout(resolve, 50));
  wall.tick();
  pushes.length = 0;

  const rnd = random(42);
  const cpu: number[] = [];
  const lessonsPushed: number[] = [];
  const bytes: number[] = [];
  const encode: number[] = [];
  for (let s = 0; s < SECONDS; s++) {
    now += 1_000;
    for (const lesson of lessons) if (scenario.step(lesson, s, rnd, now)) push(lesson);
    const before = process.cpuUsage();
    wall.tick();
    const used = process.cpuUsage(before);
    const update = pushes.shift();
    let encodeMs = 0;
    let size = 0;
    if (update) {
      const t0 = performance.now();
      size = Buffer.byteLength(JSON.stringify(['wall:update', update]));
      encodeMs = performance.now() - t0;
    }
    cpu.push((used.user + used.system) / 1000 + encodeMs);
    lessonsPushed.push((update?.lessons.length ?? 0) + (update?.patches.length ?? 0));
    bytes.push(size);
    encode.push(encodeMs);
  }
  await wall.close();
  return {
    alertWritesPerSecond: round(alertWrites / SECONDS, 1),
    name: scenario.name,
    what: scenario.what,
    cpuMsPerSecond: distribution(cpu, 2),
    lessonsPerPush: distribution(lessonsPushed, 0),
    bytesPerPush: distribution(bytes, 0),
    encodeMs: distribution(encode, 2),
    heapMiB: round(process.memoryUsage().heapUsed / 2 ** 20, 0),
  };
}

const results: ScenarioResult[] = [];
for (const scenario of scenarios) results.push(await runScenario(scenario));

const command = 'npm run bench:wall';
const json = {
  date: new Date().toISOString(),
  command,
  commit: gitCommit(),
  machine: machine(),
  lessons: LESSONS,
  classroomsPerLesson: CLASSROOMS,
  seconds: SECONDS,
  scenarios: results,
};
const kb = (b: number | null) => (b === null ? '–' : `${round(b / 1024, 1)} KiB`);
const markdown = [
  '# bench:wall — the coordinators’ wall on the server',
  '',
  `${json.date} · \`${command}\` · commit ${json.commit} · ${json.machine.cpu} (${json.machine.cores} cores, ` +
    `load ${json.machine.loadAverageAtStart} at start) · Node ${json.machine.node}`,
  '',
  `${LESSONS} live lessons × ${CLASSROOMS} invited classrooms, judged once a second for ${SECONDS} s ` +
    '(signaling/src/wall/Wall.ts in this process; the lessons’ host-side views stand in for running lessons). ' +
    'CPU per second = one judgement plus encoding its push once (Socket.IO encodes a room broadcast once).',
  '',
  '| scenario | what changes | CPU per second p50 / p95 / max | lessons pushed p50 / max | bytes per push p50 / p95 / max | alerts written / s |',
  '|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.what} | ${r.cpuMsPerSecond.p50} / ${r.cpuMsPerSecond.p95} / ${r.cpuMsPerSecond.max} ms | ` +
      `${r.lessonsPerPush.p50} / ${r.lessonsPerPush.max} | ${kb(r.bytesPerPush.p50)} / ${kb(r.bytesPerPush.p95)} / ${kb(r.bytesPerPush.max)} | ${r.alertWritesPerSecond} |`,
  ),
  '',
  `Heap after the runs: ${results.at(-1)?.heapMiB} MiB (${os.cpus().length} cores).`,
  '',
].join('\n');
writeResults('wall', json, markdown);
