import type { BoardOp } from '@cloudschool/board';
import type { ChatMessageView, InteractionState, LessonState } from '@cloudschool/protocol';

/**
 * How a live lesson speaks to its pages on this node (the socket layer implements it): each node pushes
 * state, views and board operations to its own pages; chat messages and media notices go to the pages
 * concerned wherever they are.
 */
export interface LessonAudience {
  /** To the host side (host and observers). */
  staffState(lessonId: string, state: LessonState): void;
  /** To the classrooms: only when what they show changes. */
  classroomState(lessonId: string, state: LessonState): void;
  interaction(lessonId: string, views: { staff: InteractionState; classrooms: InteractionState }): void;
  chat(lessonId: string, message: ChatMessageView): void;
  boardOp(lessonId: string, op: BoardOp): void;
  /** The media room was rebuilt: every page of this node rebuilds its transports. */
  mediaReset(lessonId: string, reason: string): void;
  /** The server closed one of a page's consumers. */
  consumerClosed(lessonId: string, peerId: string, consumerId: string): void;
}

/** How long changes are gathered into one push: 800 classrooms joining in a minute make a few a second. */
export const PUSH_COALESCE_MS = 100;

/**
 * The lesson's two pushes, each coalesced: `lesson:state` (who is connected, what the main media is) and
 * the interaction views (hands, stage, questions, quiz, tiles). Classrooms show the host and the main
 * media, not how many others are connected: a join or leave elsewhere is pushed to the host side only,
 * or 800 joins would make 800 × 800 pushes.
 */
export class LessonViews {
  readonly #lessonId: string;
  readonly #audience: LessonAudience;
  readonly #state: () => LessonState;
  readonly #views: () => Promise<{ staff: InteractionState; classrooms: InteractionState }>;
  readonly #onError: (err: unknown) => void;
  #stateTimer: NodeJS.Timeout | undefined;
  #viewsTimer: NodeJS.Timeout | undefined;
  #shownToClassrooms = '';
  #closed = false;

  constructor(
    lessonId: string,
    audience: LessonAudience,
    state: () => LessonState,
    views: () => Promise<{ staff: InteractionState; classrooms: InteractionState }>,
    onError: (err: unknown) => void,
  ) {
    this.#lessonId = lessonId;
    this.#audience = audience;
    this.#state = state;
    this.#views = views;
    this.#onError = onError;
  }

  stateChanged(): void {
    if (this.#stateTimer || this.#closed) return;
    this.#stateTimer = setTimeout(() => {
      this.#stateTimer = undefined;
      const state = this.#state();
      this.#audience.staffState(this.#lessonId, state);
      const shown = JSON.stringify({
        lesson: state.lesson,
        host: state.host,
        producers: state.producers,
        layout: state.layout,
        recording: state.recording,
      });
      if (shown === this.#shownToClassrooms) return;
      this.#shownToClassrooms = shown;
      this.#audience.classroomState(this.#lessonId, state);
    }, PUSH_COALESCE_MS);
  }

  /** One view per side, not per socket: classrooms' personal data travels in acks and chat messages. */
  interactionChanged(): void {
    if (this.#viewsTimer || this.#closed) return;
    this.#viewsTimer = setTimeout(() => {
      this.#viewsTimer = undefined;
      this.#views().then(
        (views) => this.#closed || this.#audience.interaction(this.#lessonId, views),
        this.#onError,
      );
    }, PUSH_COALESCE_MS);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#stateTimer);
    clearTimeout(this.#viewsTimer);
  }
}
