import type { LessonEvent } from './entities/lessonEvents.ts';

/** A lesson's timeline of hands, stage, layout and marks (entities/lessonEvents.ts), for its replay. */
export interface LessonEventStore {
  appendLessonEvent(event: LessonEvent): Promise<void>;
  /** A lesson's events, oldest first. */
  listLessonEvents(lessonId: string): Promise<LessonEvent[]>;
}
