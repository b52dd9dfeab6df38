import type { Lesson } from './entities/lessons.ts';

/** The timetable: lessons, each at most MAX_LESSON_MS long. */
export interface LessonStore {
  getLesson(id: string): Promise<Lesson | undefined>;
  /** Inserts or replaces lessons atomically (a weekly series is one call). */
  putLessons(lessons: Lesson[]): Promise<void>;
  /** Lessons that overlap [from, to), ordered by start (then id). */
  listLessons(range: { from: number; to: number }): Promise<Lesson[]>;
}
