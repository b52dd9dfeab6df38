import type { Lesson as LessonRecord } from '../domain/types.ts';
import type { PageInfo } from '../fabric/Fabric.ts';
import { LiveLesson } from './LiveLesson.ts';
import type { LiveLessonDeps } from './LiveLesson.ts';

/**
 * The lessons running on this node: one `LiveLesson` per lesson, opened (once, even under concurrent
 * joins) when its first page here joins, forgotten when it closes. A lesson opened again waits for its
 * previous run to finish closing (its board's final snapshot).
 */
export class LiveLessons {
  readonly #deps: LiveLessonDeps;
  readonly #running = new Map<string, LiveLesson>();
  readonly #opening = new Map<string, Promise<LiveLesson>>();
  readonly #closing = new Map<string, Promise<void>>();

  constructor(deps: LiveLessonDeps) {
    this.#deps = deps;
  }

  get(lessonId: string): LiveLesson | undefined {
    return this.#running.get(lessonId);
  }

  all(): LiveLesson[] {
    return [...this.#running.values()];
  }

  get size(): number {
    return this.#running.size;
  }

  /** Pages this node serves, all lessons counted. */
  get pageCount(): number {
    let n = 0;
    for (const lesson of this.#running.values()) n += lesson.localPageCount;
    return n;
  }

  /** The lesson running on this node, opened here first if it is not (a PC that waits to join needs it). */
  open(record: LessonRecord): Promise<LiveLesson> {
    return this.#open(record);
  }

  /** Adds a page of this node to its lesson, opening the lesson here first if it is not running. */
  async enter(record: LessonRecord, page: PageInfo): Promise<LiveLesson> {
    for (;;) {
      const lesson = await this.#open(record);
      // A lesson whose last page left while this one was on its way closes: open it again.
      if (lesson.join(page)) return lesson;
      await lesson.close();
    }
  }

  /** A lesson's record changed on this node: its run here follows, and so do the other nodes'. */
  async recordChanged(record: LessonRecord): Promise<void> {
    this.#deps.fabric.recordChanged(record.id);
    await this.#running.get(record.id)?.refresh(record);
  }

  /** Closes every lesson (each board stores its final snapshot). */
  async close(): Promise<void> {
    await Promise.all([...this.#opening.values()].map((p) => p.catch(() => undefined)));
    await Promise.all(this.all().map((lesson) => lesson.close()));
    await Promise.all(this.#closing.values());
  }

  #open(record: LessonRecord): Promise<LiveLesson> {
    const running = this.#running.get(record.id);
    if (running && !running.closed) return Promise.resolve(running);
    let opening = this.#opening.get(record.id);
    if (!opening) {
      opening = this.#create(record).finally(() => this.#opening.delete(record.id));
      this.#opening.set(record.id, opening);
    }
    return opening;
  }

  async #create(record: LessonRecord): Promise<LiveLesson> {
    await this.#closing.get(record.id);
    const lesson = await LiveLesson.open(record, this.#deps);
    this.#running.set(record.id, lesson);
    lesson.observer.once('close', () => {
      if (this.#running.get(record.id) === lesson) this.#running.delete(record.id);
    });
    const closed = new Promise<void>((resolve) => lesson.observer.once('close', resolve));
    this.#closing.set(record.id, closed);
    void closed.then(() => {
      if (this.#closing.get(record.id) === closed) this.#closing.delete(record.id);
    });
    return lesson;
  }
}
