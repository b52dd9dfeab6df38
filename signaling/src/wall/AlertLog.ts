import { serial } from '@cloudschool/protocol';
import type { WallLesson } from '@cloudschool/protocol';
import type { AlertStore } from '../store/AlertStore.ts';
import type { LessonAlert } from '../store/entities/alerts.ts';

/**
 * The wall's alerts kept for the lessons' reports: each written when it appears and again when it ends (the
 * lesson changed without it, or left the wall), one write at a time. An alert is its kind, classroom and
 * start, so every node judging the same lesson writes the same record; after a restart the alerts still
 * holding are written again (the same records) and those that ended meanwhile stay without an end.
 */
export class AlertLog {
  readonly #store: AlertStore;
  readonly #onError: (err: unknown) => void;
  /** The alerts holding now, by lesson and key. */
  readonly #open = new Map<string, Map<string, LessonAlert>>();
  readonly #writing = serial();

  constructor(store: AlertStore, onError: (err: unknown) => void) {
    this.#store = store;
    this.#onError = onError;
  }

  /** A lesson as the wall shows it now (called when it changed). */
  saw(lesson: WallLesson, now: number): void {
    const was = this.#open.get(lesson.lessonId) ?? new Map<string, LessonAlert>();
    const open = new Map<string, LessonAlert>();
    const writes: LessonAlert[] = [];
    const holding = (kind: LessonAlert['kind'], classroomId: string | null, since: number): void => {
      const key = `${kind}/${classroomId ?? '-'}/${since}`;
      const alert = was.get(key) ?? {
        lessonId: lesson.lessonId,
        key,
        kind,
        classroomId,
        since,
        endedAt: null,
      };
      if (!was.has(key)) writes.push(alert);
      open.set(key, alert);
    };
    for (const a of lesson.alerts) holding(a.kind, null, a.since);
    for (const cell of lesson.classrooms)
      if (cell.alert) holding(cell.alert.kind, cell.classroomId, cell.alert.since);
    for (const [key, alert] of was) if (!open.has(key)) writes.push({ ...alert, endedAt: now });
    if (open.size > 0) this.#open.set(lesson.lessonId, open);
    else this.#open.delete(lesson.lessonId);
    this.#write(lesson.lessonId, writes);
  }

  /** A lesson left the wall (it ended): what still held ends now. */
  gone(lessonId: string, now: number): void {
    const was = this.#open.get(lessonId);
    this.#open.delete(lessonId);
    if (was)
      this.#write(
        lessonId,
        [...was.values()].map((alert) => ({ ...alert, endedAt: now })),
      );
  }

  /** Resolves once every write asked for so far is done. */
  flushed(): Promise<void> {
    return this.#writing(async () => undefined);
  }

  #write(lessonId: string, alerts: LessonAlert[]): void {
    if (alerts.length === 0) return;
    this.#writing(() => this.#store.putLessonAlerts(lessonId, alerts)).catch(this.#onError);
  }
}
