import type { LessonAlert } from './entities/alerts.ts';

/** The wall's alerts per lesson, as they began and ended (the lesson's report lists them). */
export interface AlertStore {
  /** Writes alerts of one lesson, new or ended (the same key replaces what was written of it). */
  putLessonAlerts(lessonId: string, alerts: readonly LessonAlert[]): Promise<void>;
  /** A lesson's alerts, oldest first. */
  listLessonAlerts(lessonId: string): Promise<LessonAlert[]>;
}
