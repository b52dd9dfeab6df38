import type { Lesson } from '../lesson/Lesson.ts';
import type { Logger } from '../logger.ts';
import type { BoardStore } from '../store/BoardStore.ts';
import { Board } from './Board.ts';
import type { BoardOptions } from './Board.ts';

interface Entry {
  lesson: Lesson;
  board: Promise<Board>;
  /** Set once loaded. */
  loaded: Board | undefined;
}

/**
 * The boards of the lessons running on this node: loaded from the store on first use (once, even under
 * concurrent requests), bound to the running Lesson: the pen follows its stage, and the board closes
 * (storing a final snapshot) when the lesson has nobody left.
 */
export class BoardRegistry {
  readonly #store: BoardStore;
  readonly #log: Logger;
  readonly #options: BoardOptions;
  readonly #onCreate: (board: Board) => void;
  readonly #boards = new Map<string, Entry>();
  /** Boards still storing their final snapshot: a new board of the lesson waits for it. */
  readonly #closing = new Map<string, Promise<void>>();

  constructor(store: BoardStore, log: Logger, options: BoardOptions, onCreate: (board: Board) => void) {
    this.#store = store;
    this.#log = log;
    this.#options = options;
    this.#onCreate = onCreate;
  }

  /** The board of a running lesson, if it is loaded. */
  loaded(lessonId: string): Board | undefined {
    return this.#boards.get(lessonId)?.loaded;
  }

  /** The board of a running lesson if it is loaded or loading (an operation from another node must wait for it). */
  ofRunning(lessonId: string): Promise<Board> | undefined {
    return this.#boards.get(lessonId)?.board;
  }

  /** The board of a running lesson, loaded on first use. */
  of(lesson: Lesson): Promise<Board> {
    const entry = this.#boards.get(lesson.id);
    if (entry?.lesson === lesson) return entry.board;
    // A lesson object that ended (everyone left) while its board was loading leaves a stale entry.
    if (entry) this.#retire(lesson.id, entry);
    const board = this.#load(lesson);
    const created: Entry = { lesson, board, loaded: undefined };
    this.#boards.set(lesson.id, created);
    board.then(
      (loaded) => (created.loaded = loaded),
      () => {
        if (this.#boards.get(lesson.id) === created) this.#boards.delete(lesson.id);
      },
    );
    return board;
  }

  /** Closes every board (each stores its final snapshot). */
  async close(): Promise<void> {
    for (const [id, entry] of [...this.#boards]) this.#retire(id, entry);
    await Promise.all(this.#closing.values());
  }

  async #load(lesson: Lesson): Promise<Board> {
    await this.#closing.get(lesson.id);
    const log = this.#log.child({ lessonId: lesson.id, component: 'board' });
    const board = await Board.load(lesson.id, this.#store, log, this.#options);
    const onStage = (classroomId: string): boolean => lesson.onStage(classroomId);
    const reconcile = (): void => {
      board.reconcilePens(onStage).catch((err: unknown) => log.error({ err }, 'pen revoke failed'));
    };
    // The stage changes with a 'state' event; so does much else, but reconciling is a cheap check.
    lesson.on('state', reconcile);
    lesson.once('empty', () => {
      const entry = this.#boards.get(lesson.id);
      if (entry?.lesson === lesson) this.#retire(lesson.id, entry);
    });
    board.once('close', () => lesson.off('state', reconcile));
    this.#onCreate(board);
    // A holder may have left the stage while no board was loaded (or before a restart).
    reconcile();
    return board;
  }

  #retire(lessonId: string, entry: Entry): void {
    if (this.#boards.get(lessonId) === entry) this.#boards.delete(lessonId);
    const closed = entry.board
      .then((board) => board.close())
      .catch((err: unknown) => this.#log.error({ err, lessonId }, 'board close failed'))
      .finally(() => {
        if (this.#closing.get(lessonId) === closed) this.#closing.delete(lessonId);
      });
    this.#closing.set(lessonId, closed);
  }
}
