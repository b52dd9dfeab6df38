import { z } from 'zod';
import { entity } from '../entity.ts';
import { id } from './fields.ts';

const ms = z.int().min(0);

/**
 * How long a classroom's media got through at each level during a lesson (protocol/quality.ts), summed:
 * the report shows it. Added to by the node serving the classroom's page every few seconds.
 */
export const qualityTimes = entity({
  name: 'quality time',
  schema: z.object({ lessonId: id, classroomId: id, goodMs: ms, fairMs: ms, poorMs: ms, badMs: ms }),
  scope: ['lessonId'],
  id: 'classroomId',
  order: ['classroomId'],
  sqlite: { table: 'quality_times', columns: ['lessonId', 'classroomId'], data: 'record' },
  redis: { hash: 'quality' },
});

export type QualityTime = z.infer<typeof qualityTimes.schema>;
