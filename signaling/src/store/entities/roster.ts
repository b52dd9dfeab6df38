import { z } from 'zod';
import { entity } from '../entity.ts';
import { id } from './fields.ts';

/** The schools and classrooms of a deployment (RosterStore). */

export const schools = entity({
  name: 'school',
  schema: z.object({
    id,
    name: z.string(),
    province: z.string(),
    city: z.string(),
    district: z.string(),
    /** IANA zone the school's pages show times in. */
    timeZone: z.string(),
  }),
  scope: [],
  id: 'id',
  order: ['id'],
  sqlite: { table: 'schools', columns: ['id'], data: 'record' },
  redis: { string: 'school', index: { key: 'schools' } },
});

export type School = z.infer<typeof schools.schema>;

export const classrooms = entity({
  name: 'classroom',
  schema: z.object({
    id,
    schoolId: id,
    name: z.string(),
    kind: z.enum(['host', 'remote']),
    notes: z.string(),
    /** Short code a tutor types on the projector PC instead of opening a link. */
    code: z.string().min(1),
  }),
  scope: [],
  id: 'id',
  unique: 'code',
  order: ['id'],
  sqlite: { table: 'classrooms', columns: ['id', 'code'], data: 'record' },
  redis: { string: 'classroom', index: { key: 'classrooms' }, unique: 'classroom-code' },
});

export type Classroom = z.infer<typeof classrooms.schema>;
export type ClassroomKind = Classroom['kind'];
