import type { Sfu } from '@cloudschool/sfu';
import type { LessonInfo } from '../protocol/index.ts';
import { Lesson } from './Lesson.ts';

/** The lessons running on this node, created when the first participant joins. */
export class LessonRegistry {
  readonly #sfu: Sfu;
  readonly #lessons = new Map<string, Lesson>();
  readonly #onCreate: (lesson: Lesson) => void;

  constructor(sfu: Sfu, onCreate: (lesson: Lesson) => void) {
    this.#sfu = sfu;
    this.#onCreate = onCreate;
  }

  get(lessonId: string): Lesson | undefined {
    return this.#lessons.get(lessonId);
  }

  getOrCreate(lessonId: string, info: LessonInfo): Lesson {
    let lesson = this.#lessons.get(lessonId);
    if (!lesson) {
      const created = new Lesson(lessonId, this.#sfu, info);
      this.#lessons.set(lessonId, created);
      created.once('empty', () => {
        if (this.#lessons.get(lessonId) === created) this.#lessons.delete(lessonId);
      });
      this.#onCreate(created);
      lesson = created;
    }
    return lesson;
  }

  /** Every running lesson on this node. */
  all(): Lesson[] {
    return [...this.#lessons.values()];
  }

  get size(): number {
    return this.#lessons.size;
  }
}
