import type { Sfu } from '@cloudschool/sfu';
import type { LessonInfo } from '@cloudschool/protocol';
import type { Store } from '../store/Store.ts';
import { Lesson } from './Lesson.ts';
import type { LessonPeers, LessonRoster } from './Lesson.ts';

/** The lessons running on this node, created (once, even under concurrent joins) when the first participant joins. */
export class LessonRegistry {
  readonly #sfu: Sfu;
  readonly #store: Store;
  readonly #lessons = new Map<string, Lesson>();
  readonly #creating = new Map<string, Promise<Lesson>>();
  readonly #onCreate: (lesson: Lesson) => void;
  readonly #peers: LessonPeers;

  constructor(sfu: Sfu, store: Store, peers: LessonPeers, onCreate: (lesson: Lesson) => void) {
    this.#sfu = sfu;
    this.#store = store;
    this.#peers = peers;
    this.#onCreate = onCreate;
  }

  get(lessonId: string): Lesson | undefined {
    return this.#lessons.get(lessonId);
  }

  async getOrCreate(
    lessonId: string,
    info: () => Promise<{ info: LessonInfo; roster: LessonRoster }>,
  ): Promise<Lesson> {
    const running = this.#lessons.get(lessonId);
    if (running) return running;
    let pending = this.#creating.get(lessonId);
    if (!pending) {
      pending = this.#create(lessonId, info).finally(() => this.#creating.delete(lessonId));
      this.#creating.set(lessonId, pending);
    }
    return pending;
  }

  /** Every running lesson on this node. */
  all(): Lesson[] {
    return [...this.#lessons.values()];
  }

  get size(): number {
    return this.#lessons.size;
  }

  async #create(
    lessonId: string,
    load: () => Promise<{ info: LessonInfo; roster: LessonRoster }>,
  ): Promise<Lesson> {
    const { info, roster } = await load();
    const lesson = new Lesson(lessonId, this.#sfu, this.#store, info, roster, this.#peers);
    await lesson.restore();
    this.#lessons.set(lessonId, lesson);
    lesson.once('empty', () => {
      if (this.#lessons.get(lessonId) === lesson) this.#lessons.delete(lessonId);
    });
    this.#onCreate(lesson);
    // Registered and wired before it asks: the other nodes' snapshots find it.
    await lesson.gather();
    return lesson;
  }
}
