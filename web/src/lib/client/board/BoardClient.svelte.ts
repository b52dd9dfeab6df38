/**
 * The whiteboard of a page as runes: BoardFollower (the replica, live traffic, this page's writes) with
 * what the Whiteboard component reads made reactive, the courseware backgrounds, and the hooks the
 * tests read through `window.__cloudschool`.
 */
import { initialBoard } from '@cloudschool/board';
import type { BoardAuthor, BoardState } from '@cloudschool/board';
import type { MessageKey } from '#lib/i18n/index.ts';
import { BoardFollower } from './BoardFollower.ts';
import { CoursewareLibrary } from './courseware.ts';
import { pagePng } from './exportBoard.ts';

export type { Send, Stream } from './BoardFollower.ts';

export class BoardClient extends BoardFollower {
  #state: BoardState = $state.raw(initialBoard());
  #headSeq = $state(0);
  #me: BoardAuthor | null = $state(null);
  /** The first sync has answered. */
  synced = $state(false);
  /** Bumped whenever something not sequenced changed (live ink, lasers, this page's pending writes). */
  liveVersion = $state(0);
  /** Bumped when this page's erasing hides or shows objects again. */
  hiddenVersion = $state(0);
  /** The last refused write, in words (cleared after a few seconds). */
  error: MessageKey | null = $state(null);
  /** Courseware backgrounds (once the page knows how to read them: see useCourseware). */
  courseware: CoursewareLibrary | null = $state.raw(null);
  /** Bumped when a courseware background finished loading. */
  backgroundVersion = $state(0);

  /** The board as the server has it, up to headSeq. */
  override get state(): BoardState {
    return this.#state;
  }

  override get headSeq(): number {
    return this.#headSeq;
  }

  /** Who this page writes as (null: an observer, or not joined yet). */
  override get me(): BoardAuthor | null {
    return this.#me;
  }

  /** Reads courseware backgrounds of this lesson (a classroom with its join token). */
  useCourseware(lessonId: string, token: string | null = null): void {
    this.courseware?.close();
    this.courseware = new CoursewareLibrary(lessonId, token, () => this.backgroundVersion++);
  }

  /** What `window.__cloudschool` offers the tests on a page with a board. */
  testHooks(): {
    board: () => { headSeq: number; state: BoardState };
    boardPng: (pageId?: string, scale?: number) => Promise<string>;
  } {
    return {
      board: () => this.snapshot(),
      boardPng: (pageId, scale) => pagePng(this.snapshot().state, this.courseware, pageId, scale),
    };
  }

  /** close(), and the courseware's rendered pages go too (the page is going away). */
  dispose(): void {
    this.close();
    this.courseware?.close();
  }

  protected override onState(state: BoardState, headSeq: number): void {
    this.#state = state;
    this.#headSeq = headSeq;
  }

  protected override onSynced(): void {
    this.synced = true;
  }

  protected override onAuthor(me: BoardAuthor | null): void {
    this.#me = me;
  }

  protected override onLive(): void {
    this.liveVersion++;
  }

  protected override onHidden(): void {
    this.hiddenVersion++;
  }

  protected override onError(key: MessageKey | null): void {
    this.error = key;
  }
}
