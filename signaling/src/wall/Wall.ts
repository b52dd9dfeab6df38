import { diffWallLesson, isWallPatch, MAX_LESSON_MS, patchWallLesson } from '@cloudschool/protocol';
import type {
  InteractionState,
  WallLesson,
  WallPatch,
  WallSnapshot,
  WallUpdate,
} from '@cloudschool/protocol';
import { OPEN_BEFORE_MS } from '../domain/lessonStatus.ts';
import type { Lesson } from '../domain/types.ts';
import type { Fabric } from '../fabric/Fabric.ts';
import type { LessonAudience } from '../lesson/LessonViews.ts';
import type { LiveLesson } from '../lesson/LiveLesson.ts';
import type { Logger } from '../logger.ts';
import type { AlertStore } from '../store/AlertStore.ts';
import type { LessonStore } from '../store/LessonStore.ts';
import { AlertLog } from './AlertLog.ts';
import { ALERT_DELAYS, mergeWallLessons, onWall, UNATTENDED, wallLesson } from './wallLesson.ts';
import type { AlertDelays, LessonFacts } from './wallLesson.ts';

/** How often the wall is judged (alerts are time-based) and at most how often it is pushed. */
export const WALL_TICK_MS = 1_000;
/** How often the lessons on the wall are read from the store (a lesson no node runs changes only by the clock). */
const RECORDS_MS = 10_000;
/** A lesson another node runs is told again this often even unchanged; a copy older than twice that is dropped. */
const RESHARE_MS = 30_000;

export interface WallOptions {
  store: Pick<LessonStore, 'listLessons'> & AlertStore;
  /** The lessons running on this node. */
  running: () => LiveLesson[];
  fabric: Pick<Fabric, 'nodeId' | 'shareWall' | 'onWall'>;
  /** Pushes to the coordinators watching on this node. */
  push: (update: WallUpdate) => void;
  delays?: Partial<AlertDelays>;
  log: Logger;
  now?: () => number;
}

/** What this node keeps of a lesson it runs, between ticks. */
interface Tracked {
  /** Its last staff view (tiles: connection, hand, stage, level of every invited classroom). */
  staff: InteractionState | undefined;
  liveSince: number | null;
  offSince: number | null;
  recordingStoppedAt: number | null;
  poorSince: Map<string, number>;
  /** What the other nodes were last told (whole, or patched since), and when it was last told whole. */
  shared: WallLesson | null;
  sharedAt: number;
}

/**
 * The coordinators' live wall on this node: every lesson that is open or live, each with its invited
 * classrooms. Lessons this node runs are judged from what it sees (the host side's tiles, the pages' reports)
 * and told to the other nodes; lessons another node runs are what it told; lessons nobody runs are their
 * record (everyone absent). Judged every second, pushed only when a lesson changed.
 */
export class Wall {
  readonly #options: WallOptions;
  readonly #delays: AlertDelays;
  readonly #now: () => number;
  readonly #tracked = new Map<string, Tracked>();
  /** Lessons other nodes run, by lesson and node, and when each copy was heard. */
  readonly #remote = new Map<string, Map<string, { lesson: WallLesson; heardAt: number }>>();
  #records = new Map<string, Lesson>();
  #recordsAt = -Infinity;
  #reading: Promise<void> | undefined;
  /** What the watching pages were last pushed, by lesson. */
  #shown = new Map<string, WallLesson>();
  readonly #alerts: AlertLog;
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  static create(options: WallOptions): Wall {
    return new Wall(options);
  }

  private constructor(options: WallOptions) {
    this.#options = options;
    this.#delays = { ...ALERT_DELAYS, ...options.delays };
    this.#now = options.now ?? Date.now;
    this.#alerts = new AlertLog(options.store, (err) =>
      options.log.error({ err }, 'wall: could not keep alerts'),
    );
    options.fabric.onWall((from, lessonId, lesson) => this.#hear(from, lessonId, lesson));
    this.#timer = setInterval(() => this.tick(), WALL_TICK_MS);
    this.#timer.unref();
  }

  /** The live lessons' pushes, with the host side's view kept for the wall on the way. */
  audience(inner: LessonAudience): LessonAudience {
    return {
      ...inner,
      interaction: (lessonId, views) => {
        this.#track(lessonId).staff = views.staff;
        inner.interaction(lessonId, views);
      },
    };
  }

  /** Every lesson on the wall now. */
  snapshot(): WallSnapshot {
    return { lessons: [...this.#shown.values()], serverTime: this.#now() };
  }

  /** Judges the wall now; pushes what changed. Runs every second by itself. */
  tick(): void {
    if (this.#closed) return;
    const now = this.#now();
    if (now - this.#recordsAt >= RECORDS_MS) this.#readRecords(now);
    const mine = this.#judgeMine(now);
    const update: WallUpdate = { lessons: [], patches: [], gone: [], serverTime: now };
    const next = new Map<string, WallLesson>();
    for (const record of this.#records.values()) {
      const copies = [...(this.#remote.get(record.id)?.values() ?? [])]
        .filter((copy) => now - copy.heardAt < 2 * RESHARE_MS)
        .map((copy) => copy.lesson);
      const own = mine.get(record.id);
      if (own) copies.push(own);
      const status = onWall(record, now);
      let lesson: WallLesson;
      if (copies.length > 0) lesson = mergeWallLessons(copies);
      else if (status) lesson = wallLesson(record, status, UNATTENDED, now, this.#delays);
      else continue;
      const shown = this.#shown.get(record.id);
      const change = shown ? diffWallLesson(shown, lesson) : lesson;
      next.set(record.id, change === null ? shown! : lesson);
      if (change === null) continue;
      if (isWallPatch(change)) update.patches.push(change);
      else update.lessons.push(change);
      this.#alerts.saw(lesson, now);
    }
    for (const lessonId of this.#shown.keys()) {
      if (next.has(lessonId)) continue;
      update.gone.push(lessonId);
      this.#alerts.gone(lessonId, now);
    }
    this.#shown = next;
    if (update.lessons.length + update.patches.length + update.gone.length > 0) this.#options.push(update);
  }

  /** Stops judging; resolves once the alerts seen so far are kept. */
  close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    return this.#alerts.flushed();
  }

  /** The lessons this node runs, judged; each told to the other nodes when it changed. */
  #judgeMine(now: number): Map<string, WallLesson> {
    const mine = new Map<string, WallLesson>();
    const running = new Set<string>();
    for (const live of this.#options.running()) {
      if (live.closed) continue;
      running.add(live.id);
      const record = this.#records.get(live.id);
      const status = live.info.status;
      if (!record || (status !== 'open' && status !== 'live')) continue;
      const lesson = wallLesson(record, status, this.#facts(live, now), now, this.#delays);
      mine.set(live.id, lesson);
      const tracked = this.#track(live.id);
      if (!tracked.shared || now - tracked.sharedAt >= RESHARE_MS) {
        this.#options.fabric.shareWall(live.id, lesson);
        tracked.sharedAt = now;
      } else {
        const change = diffWallLesson(tracked.shared, lesson);
        if (change === null) continue;
        this.#options.fabric.shareWall(live.id, change);
      }
      tracked.shared = lesson;
    }
    for (const [lessonId, tracked] of this.#tracked) {
      if (running.has(lessonId)) continue;
      // No longer runs here (its pages here left): the other nodes forget this node's copy.
      this.#tracked.delete(lessonId);
      if (tracked.shared) this.#options.fabric.shareWall(lessonId, null);
    }
    return mine;
  }

  #facts(live: LiveLesson, now: number): LessonFacts {
    const tracked = this.#track(live.id);
    const state = live.state();
    const { staff } = tracked;
    if (state.host.live) {
      tracked.liveSince ??= now;
      tracked.offSince = null;
    } else {
      tracked.liveSince = null;
      tracked.offSince ??= now;
    }
    const stopped = state.recording.status === 'off' && state.recording.problem !== null;
    tracked.recordingStoppedAt = stopped ? (tracked.recordingStoppedAt ?? now) : null;
    const tiles = new Map((staff?.tiles ?? []).map((tile) => [tile.classroomId, tile]));
    return {
      host: { ...state.host, quality: staff?.hostQuality ?? 'unknown' },
      liveSince: tracked.liveSince,
      offSince: tracked.offSince,
      recording: state.recording.status === 'recording' ? 'recording' : stopped ? 'stopped' : 'off',
      recordingStoppedAt: tracked.recordingStoppedAt,
      classroom: (classroomId) => {
        const tile = tiles.get(classroomId);
        const poor = tile?.connected && (tile.quality === 'poor' || tile.quality === 'bad');
        if (!poor) tracked.poorSince.delete(classroomId);
        else if (!tracked.poorSince.has(classroomId)) tracked.poorSince.set(classroomId, now);
        return {
          tile,
          // The level of a classroom whose every page lost its connection (LessonQuality).
          reconnecting: tile?.quality === 'reconnecting',
          darkSince: live.quality.darkSince(classroomId),
          poorSince: tracked.poorSince.get(classroomId) ?? null,
        };
      },
    };
  }

  #track(lessonId: string): Tracked {
    let tracked = this.#tracked.get(lessonId);
    if (!tracked) {
      tracked = {
        staff: undefined,
        liveSince: null,
        offSince: null,
        recordingStoppedAt: null,
        poorSince: new Map(),
        shared: null,
        sharedAt: 0,
      };
      this.#tracked.set(lessonId, tracked);
    }
    return tracked;
  }

  /** Another node's lesson: whole, a patch of what it told before (dropped without it: it comes whole soon). */
  #hear(from: string, lessonId: string, change: WallLesson | WallPatch | null): void {
    let copies = this.#remote.get(lessonId);
    if (change === null) {
      copies?.delete(from);
      if (copies?.size === 0) this.#remote.delete(lessonId);
      return;
    }
    const base = copies?.get(from);
    if (isWallPatch(change) && !base) return;
    const lesson = isWallPatch(change) ? patchWallLesson(base!.lesson, change) : change;
    if (!copies) this.#remote.set(lessonId, (copies = new Map()));
    copies.set(from, { lesson, heardAt: this.#now() });
  }

  /** Reads the lessons that may be on the wall: open from 15 minutes before their start until their end. */
  #readRecords(now: number): void {
    if (this.#reading) return;
    this.#recordsAt = now;
    this.#reading = this.#options.store
      .listLessons({ from: now - MAX_LESSON_MS, to: now + OPEN_BEFORE_MS + RECORDS_MS })
      .then(
        (records) => {
          this.#records = new Map(records.filter((r) => onWall(r, this.#now())).map((r) => [r.id, r]));
          // Ended lessons leave; so do other nodes' copies of them.
          for (const lessonId of this.#remote.keys())
            if (!this.#records.has(lessonId)) this.#remote.delete(lessonId);
        },
        (err: unknown) => this.#options.log.error({ err }, 'wall: could not read the lessons'),
      )
      .finally(() => {
        this.#reading = undefined;
        this.tick();
      });
  }
}
