import type { MeasuredLevel } from '@cloudschool/protocol';
import type { QualityTime } from './entities/quality.ts';

/** How long each classroom's media got through at each level, per lesson (the report's quality column). */
export interface QualityStore {
  /**
   * Adds time spent at each level to a classroom's totals for a lesson. Read-add-write: callers serialize
   * their own adds (the node serving the classroom's page does, per lesson).
   */
  addQualityTime(
    lessonId: string,
    classroomId: string,
    ms: Partial<Record<MeasuredLevel, number>>,
  ): Promise<void>;
  /** Every classroom's totals for a lesson, by classroom id. */
  listQualityTimes(lessonId: string): Promise<QualityTime[]>;
}
