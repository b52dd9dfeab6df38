/**
 * One live page of a lesson — the host console, a classroom, the patrol view — as runes: its
 * LessonSession, the lesson's interaction and whiteboard that the session carries, the Receiver every
 * live page has, the hooks the end-to-end tests read on `window.__cloudschool`, and the teardown. A
 * page adds only what is its own: its other media sides (the host's or a classroom's camera and
 * microphone), what it does on a phase or a state push, and its layout.
 *
 * createLivePage() is called while the page component initialises. The session opens when the page
 * mounts, stops for good once the lesson is over (or on stop()), and is torn down with the page; the
 * board's replica stays readable after the stop, for the export on the lesson-over screen.
 */
import { onMount } from 'svelte';
import type { ClassroomTile, LessonInfo, LessonState, Role } from '@cloudschool/protocol';
import { BoardClient } from './board/BoardClient.svelte.ts';
import type { LinkPhase } from './classroomStatus.ts';
import { gridWants } from './Grid.ts';
import { lessonInbound } from './inboundStats.ts';
import { Interaction, type Send } from './Interaction.svelte.ts';
import { isLessonId } from './lessonId.ts';
import { LessonSession, type FatalReason, type MediaSide } from './lessonSession.ts';
import { Receiver, type Received } from './Receiver.ts';
import { SignalError } from './signal.ts';
import { clockOffset } from './time.ts';

export interface LivePageOptions {
  lessonId: string;
  role: Role;
  /** A classroom's join token, read when the page mounts; null refuses at once (`invalid-token`). */
  token?: () => string | null;
  /**
   * Builds the page's media when it mounts, around the Receiver every live page has: the side the
   * session starts (the page combines its sides in the order it wants) and what to free when the page
   * stops for good.
   */
  media: (receiver: Receiver) => LiveMedia;
  /** Told after the live page has kept what it keeps itself. */
  on?: LivePageHooks;
}

export interface LiveMedia {
  side: MediaSide;
  /** Frees the page's own things (camera, screen wake lock, timers) when it stops for good. */
  close?: () => void;
}

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
  #receiver: Receiver | null = null;
  #finish: (() => void) | null = null;

  constructor(options: LivePageOptions) {
    this.#options = options;
    const observer = options.role === 'observer';
    const send: Send = (event, payload) =>
      this.#session
        ? this.#session.request(event, payload)
        : Promise.reject(new SignalError('not_joined', `${event}: not in the lesson`));
    // An observer looks: its interaction sends nothing, its board only asks for syncs.
    this.interaction = new Interaction(
      observer
        ? (event) => Promise.reject(new SignalError('forbidden', `${event}: an observer sends nothing`))
        : send,
    );
    this.board = new BoardClient(send, (event, payload, volatile) => {
      if (!observer) this.#session?.stream(event, payload, volatile);
    });
    onMount(() => {
      this.#open();
      return () => {
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
    const session = new LessonSession({ lessonId, role, token }, media.side, {
      phase: (value) => {
        this.phase = value;
        on.phase?.(value);
      },
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
      message: (message) => {
        // The backchannel is the host's and the classrooms' only.
        if (role !== 'observer') this.interaction.message(message);
      },
      board: this.board,
    });
    this.board.useCourseware(lessonId, token ?? null);
    this.#session = session;
    this.#receiver = receiver;
    window.__cloudschool = {
      inboundStats: async () => lessonInbound(await receiver.stats()),
      ...this.board.testHooks(),
    };
    this.#finish = () => {
      session.close();
      media.close?.();
      this.board.close();
    };
    session.open();
  }

  #refuse(reason: FatalReason): void {
    this.fatal = reason;
    this.phase = 'error';
  }
}

export type { LivePage };
