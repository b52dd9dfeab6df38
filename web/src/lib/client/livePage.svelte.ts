/**
 * One live page of a lesson — the host console, a classroom, the patrol view — as runes: its
 * LessonSession, the lesson's interaction and whiteboard that the session carries, the Receiver every
 * live page has, the hooks the end-to-end tests read on `window.__cloudschool`, and the teardown. A
 * page adds only what is its own: its other media sides (the host's or a classroom's camera and
 * microphone), what it does on a phase or a state push, and its layout.
 *
 * Every page but the patrol's reports how its media gets through (QualityReporter.ts) while it is in the
 * lesson with its media up; the server's verdict is `quality` (`qualityLevel` for the indicator). After a
 * dropped connection, the time until media flows again is logged and kept for the hooks.
 *
 * createLivePage() is called while the page component initialises. The session opens when the page
 * mounts, stops for good once the lesson is over (or on stop()), and is torn down with the page; the
 * board's replica stays readable after the stop, for the export on the lesson-over screen.
 */
import { onMount } from 'svelte';
import { READINESS_REPORT_MIN_MS } from '@cloudschool/protocol';
import type {
  ClassroomTile,
  LessonInfo,
  LessonLayout,
  LessonRecordingState,
  LessonState,
  QualityHint,
  QualityLevel,
  QualityReport,
  QualityVerdict,
  ReadinessResults,
  Role,
} from '@cloudschool/protocol';
import { BoardClient } from './board/BoardClient.svelte.ts';
import type { LinkPhase } from './classroomStatus.ts';
import type { DeviceKeeper } from './deviceCredential.ts';
import { gridWants } from './Grid.ts';
import { lessonInbound, type StatsSource } from './inboundStats.ts';
import { Interaction, type Send } from './Interaction.svelte.ts';
import { isLessonId } from './lessonId.ts';
import { LessonSession } from './lessonSession.ts';
import type { MediaSide } from './mediaSide.ts';
import { note } from './note.ts';
import type { FatalReason, Recovery, SessionCounts } from './sessionTypes.ts';
import { mediaFlowing } from './quality.ts';
import { QualityReporter, takeSample, type QualitySources } from './QualityReporter.ts';
import { Receiver, type Received } from './Receiver.ts';
import { SignalError } from './signal.ts';
import { clockOffset } from './time.ts';

export interface LivePageOptions {
  lessonId: string;
  role: Role;
  /** A classroom's join token, read when the page mounts; null refuses at once (`invalid-token`). */
  token?: () => string | null;
  /** A classroom's PC and its credential (read after the token, when the page mounts). */
  device?: () => DeviceKeeper;
  /**
   * Builds the page's media when it mounts, around the Receiver every live page has: the side the
   * session starts (the page combines its sides in the order it wants) and what to free when the page
   * stops for good.
   */
  media: (receiver: Receiver) => LiveMedia;
  /** Told after the live page has kept what it keeps itself. */
  on?: LivePageHooks;
  /** Media through TURN relays only (a classroom's `?relay=1`, to diagnose a school's firewall). */
  relay?: boolean;
}

export interface LiveMedia {
  side: MediaSide;
  /** Frees the page's own things (camera, screen wake lock, timers) when it stops for good. */
  close?: () => void;
  /** What the page sends (its send transport's getStats(); null while it has none), for its quality reports. */
  sent?: () => Promise<StatsSource | null>;
}

/** A recovery, with when media flowed again (epoch ms; null: not within MEDIA_WAIT_MS). */
export interface RecoveryRecord extends Recovery {
  mediaAt: number | null;
}

/** `window.__cloudschool.session()`: who this page is in the lesson and how it came back so far. */
export interface SessionInfo extends SessionCounts {
  /** This page's peer id (its last join's; the same after it took its place back). */
  peerId: string | null;
  phase: LinkPhase;
  /** The last few recoveries, oldest first. */
  recoveries: RecoveryRecord[];
}

/** `window.__cloudschool.quality()`: what this page last reported and was told. */
export interface QualityInfo {
  /** As the page shows it (`quality-indicator`'s `data-level`). */
  level: QualityLevel;
  verdict: QualityVerdict | null;
  report: QualityReport | null;
  /** Reports answered so far. */
  reports: number;
}

/** After a recovery, media is looked for this long, every MEDIA_POLL_MS. */
const MEDIA_WAIT_MS = 30_000;
const MEDIA_POLL_MS = 200;
const KEPT_RECOVERIES = 20;

export interface LivePageHooks {
  phase?(phase: LinkPhase): void;
  state?(state: LessonState): void;
  fatal?(reason: FatalReason): void;
  /** Every track being received, after every change. */
  received?(received: Received[]): void;
}

export function createLivePage(options: LivePageOptions): LivePage {
  return new LivePage(options);
}

/** Built by createLivePage(), during a component's initialisation. */
class LivePage {
  phase = $state<LinkPhase>('connecting');
  fatal = $state<FatalReason | null>(null);
  lesson = $state.raw<LessonState | null>(null);
  /** The lesson's schedule status: from every push, and (the host's) at once from a start or end answer. */
  schedule = $state<LessonInfo['status'] | null>(null);
  /** Server clock minus this PC's, for countdowns. */
  offset = $state(0);
  /** Every track being received: the host, on-stage classrooms, the grid's visible tiles. */
  received = $state.raw<Received[]>([]);
  /** The server's verdict on this page's last quality report since its media came up (null before one). */
  quality = $state.raw<QualityVerdict | null>(null);
  /** This page's level as it shows it: `reconnecting` while its link is down, `unknown` before a verdict. */
  readonly qualityLevel: QualityLevel = $derived(
    this.phase === 'reconnecting' ? 'reconnecting' : (this.quality?.level ?? 'unknown'),
  );
  /** What the page should say about its link (nothing while it is not in the lesson). */
  readonly qualityHint: QualityHint = $derived(
    this.phase === 'ready' ? (this.quality?.hint ?? 'none') : 'none',
  );

  /** Ended or cancelled: from a push, an answer, or a join refused because the lesson is over. */
  readonly over = $derived(
    this.schedule === 'ended' ||
      this.schedule === 'cancelled' ||
      (this.phase === 'error' && this.fatal === 'closed'),
  );
  readonly overKind = $derived(this.over ? (this.schedule === 'cancelled' ? 'cancelled' : 'ended') : null);
  /** Stopped for another reason: taken over by another page, or a final refusal. */
  readonly stopped = $derived(!this.over && (this.phase === 'replaced' || this.phase === 'error'));

  readonly interaction: Interaction;
  readonly board: BoardClient;

  readonly #options: LivePageOptions;
  #session: LessonSession | null = null;
  /** When this page's next readiness report may leave (the server takes one a second). */
  #readinessTurn = 0;
  #receiver: Receiver | null = null;
  #finish: (() => void) | null = null;
  #report: QualityReport | null = null;
  #reports = 0;
  readonly #recoveries: RecoveryRecord[] = [];

  constructor(options: LivePageOptions) {
    this.#options = options;
    const observer = options.role === 'observer';
    const send: Send = (event, payload) =>
      this.#session
        ? this.#session.request(event, payload)
        : Promise.reject(new SignalError('not_joined', `${event}: not in the lesson`));
    // An observer looks: its interaction sends nothing but a word to a tutor (an alert on the wall: the
    // host side's backchannel, which it reads too), its board only asks for syncs.
    const observerMay: readonly string[] = ['chat:send', 'chat:history'];
    this.interaction = new Interaction(
      observer
        ? (event, payload) =>
            observerMay.includes(event)
              ? send(event, payload)
              : Promise.reject(new SignalError('forbidden', `${event}: an observer sends nothing`))
        : send,
    );
    this.board = new BoardClient(send, (event, payload, volatile) => {
      if (!observer) this.#session?.stream(event, payload, volatile);
    });
    // A tab or browser being closed leaves the lesson there and then (the socket's goodbye), as a tutor
    // means it to. Otherwise the server would take the silent connection for a dropped one and keep the
    // page for its return (2 min): the host side and the wall would show the classroom reconnecting.
    const leaving = (): void => this.stop();
    // Back from the browser's page cache, stopped: a fresh load joins again.
    const restored = (event: PageTransitionEvent): void => {
      if (event.persisted) location.reload();
    };
    onMount(() => {
      this.#open();
      window.addEventListener('pagehide', leaving);
      window.addEventListener('pageshow', restored);
      return () => {
        window.removeEventListener('pagehide', leaving);
        window.removeEventListener('pageshow', restored);
        this.stop();
        this.board.dispose();
        delete window.__cloudschool;
      };
    });
    // The lesson is over: leave it (cameras off, no more joining); the board stays for export.
    $effect(() => {
      if (this.over) this.stop();
    });
  }

  /** The host teacher chooses what the classrooms show large; rejects if the server refused. */
  async setLayout(layout: LessonLayout): Promise<void> {
    if (!this.#session) throw new SignalError('not_joined', 'lesson:layout: not in the lesson');
    await this.#session.request('lesson:layout', { layout });
  }

  /** The host teacher (or a patrolling coordinator) starts or stops the recording; rejects if refused. */
  async record(on: boolean): Promise<LessonRecordingState> {
    const event = on ? 'recording:start' : 'recording:stop';
    if (!this.#session) throw new SignalError('not_joined', `${event}: not in the lesson`);
    return this.#session.request(event, {});
  }

  /**
   * A classroom's self-check (ReadinessCheck.ts); rejects if the server refused it. Reports leave at most one
   * a second (the server refuses one sooner, `rate_limited`): a quick check's final results, or a report
   * again once the page is back, wait their turn instead of being refused and lost — the host side and the
   * wall would show the classroom still checking. Resolves with the request's round trip (ms), its wait for
   * its turn not counted (the self-check's network measure).
   */
  async reportReadiness(results: ReadinessResults): Promise<number> {
    if (!this.#session) throw new SignalError('not_joined', 'readiness:report: not in the lesson');
    const now = performance.now();
    const leaves = Math.max(now, this.#readinessTurn);
    // A margin over the server's second: it times reports as they arrive, not as they left.
    this.#readinessTurn = leaves + READINESS_REPORT_MIN_MS + 150;
    if (leaves > now) await new Promise((resolve) => setTimeout(resolve, leaves - now));
    if (!this.#session) throw new SignalError('not_joined', 'readiness:report: not in the lesson');
    const sent = performance.now();
    await this.#session.request('readiness:report', results);
    return performance.now() - sent;
  }

  /** The grid shows these tiles: only their cameras are received. */
  showTiles(tiles: readonly ClassroomTile[]): void {
    this.#receiver?.setGrid(gridWants(tiles));
  }

  /** Leaves the lesson for good (idempotent). */
  stop(): void {
    const finish = this.#finish;
    this.#finish = null;
    finish?.();
  }

  #open(): void {
    const { lessonId, role, on = {} } = this.#options;
    if (!isLessonId(lessonId)) return this.#refuse('invalid-lesson');
    const token = this.#options.token?.();
    if (token === null) return this.#refuse('invalid-token');
    const receiver = new Receiver((list) => {
      this.received = list;
      on.received?.(list);
    });
    const media = this.#options.media(receiver);
    const sources: QualitySources = {
      received: () => receiver.qualityStats(),
      sent: media.sent ?? (() => Promise.resolve(null)),
    };
    // The patrol reports nothing: the server has no level for an observer.
    let reporter: QualityReporter | null = null;
    const device = this.#options.device?.();
    const session = new LessonSession(
      { lessonId, role, token, relay: this.#options.relay, device },
      media.side,
      {
        phase: (value) => {
          this.phase = value;
          if (value === 'ready') reporter?.start();
          else reporter?.stop();
          on.phase?.(value);
        },
        recovered: (recovery) => void this.#measureRecovery(recovery, sources, receiver),
        state: (value) => {
          this.lesson = value;
          this.schedule = value.lesson.status;
          this.offset = clockOffset(value.serverTime, Date.now());
          on.state?.(value);
        },
        fatal: (reason) => {
          this.fatal = reason;
          on.fatal?.(reason);
        },
        joined: (result) => {
          this.interaction.joined(result);
          this.board.joined(result);
        },
        interaction: (state) => this.interaction.apply(state),
        message: (message) => this.interaction.message(message),
        board: this.board,
      },
    );
    if (role !== 'observer') {
      reporter = new QualityReporter(sources, (report) => session.request('quality:report', report), {
        verdict: (verdict, report) => {
          this.quality = verdict;
          if (!report) return;
          this.#report = report;
          this.#reports++;
        },
      });
    }
    this.board.useCourseware(lessonId, token ?? null);
    this.#session = session;
    this.#receiver = receiver;
    window.__cloudschool = {
      inboundStats: async () => lessonInbound(await receiver.stats()),
      screenStats: () => receiver.screenStats(),
      session: () => ({
        peerId: session.peerId,
        phase: this.phase,
        ...session.counts,
        recoveries: this.#recoveries.map((r) => ({ ...r })),
      }),
      quality: () => ({
        level: this.qualityLevel,
        verdict: this.quality,
        report: this.#report,
        reports: this.#reports,
      }),
      ...this.board.testHooks(),
    };
    this.#finish = () => {
      reporter?.stop();
      session.close();
      media.close?.();
      this.board.close();
    };
    session.open();
  }

  /**
   * Back in the lesson after losing it: waits for media to flow again (the main media this page plays,
   * else what it sends) and logs how long it took from the reconnect.
   */
  async #measureRecovery(recovery: Recovery, sources: QualitySources, receiver: Receiver): Promise<void> {
    const record: RecoveryRecord = { ...recovery, mediaAt: null };
    this.#recoveries.push(record);
    if (this.#recoveries.length > KEPT_RECOVERIES) this.#recoveries.shift();
    try {
      let before = await takeSample(sources);
      while (Date.now() < recovery.readyAt + MEDIA_WAIT_MS && this.#finish) {
        await new Promise((resolve) => setTimeout(resolve, MEDIA_POLL_MS));
        const after = await takeSample(sources);
        if (mediaFlowing(before, after, receiver.wantsMain)) {
          record.mediaAt = after.at;
          break;
        }
        before = after;
      }
    } catch {
      // A transport closed while it was read (the media is being rebuilt): that recovery is logged by itself.
    }
    const how = recovery.how === 'resumed' ? 'took its place back' : 'joined again';
    const offline = `${recovery.reconnectedAt - recovery.lostAt} ms without a connection`;
    note(
      record.mediaAt === null
        ? `back in the lesson (${how}, ${offline}), ${recovery.readyAt - recovery.reconnectedAt} ms after the reconnect; no media flowing yet`
        : `media flowing again ${record.mediaAt - recovery.reconnectedAt} ms after the reconnect (${how}, ${offline})`,
    );
  }

  #refuse(reason: FatalReason): void {
    this.fatal = reason;
    this.phase = 'error';
  }
}

export type { LivePage };
