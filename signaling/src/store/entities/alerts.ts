import { z } from 'zod';
import { wallAlertKinds } from '@cloudschool/protocol';
import { entity } from '../entity.ts';
import { id, time } from './fields.ts';

/**
 * The wall's alerts of a lesson (wall/Wall.ts): one record per alert — a kind, its classroom (null for the
 * lesson's own) and when its condition began — written when it appears and again when it ends, so the
 * lesson's report lists them. Nodes that judge the same lesson write the same key.
 */
export const lessonAlerts = entity({
  name: 'lesson alert',
  schema: z.object({
    lessonId: id,
    /** `<kind>/<classroom id or ->/<since>`. */
    key: z.string().min(1).max(300),
    kind: z.enum(wallAlertKinds),
    classroomId: id.nullable(),
    since: time,
    /** When the wall last saw it end; null while it holds (or if the lesson ended first). */
    endedAt: time.nullable(),
  }),
  scope: ['lessonId'],
  id: 'key',
  order: ['since', 'key'],
  sqlite: { table: 'lesson_alerts', columns: ['lessonId', 'key'], data: 'record' },
  redis: { hash: 'alerts' },
});

export type LessonAlert = z.infer<typeof lessonAlerts.schema>;
