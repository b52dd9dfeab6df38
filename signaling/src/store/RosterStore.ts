import type { Classroom, School } from './entities/roster.ts';

/** The schools and classrooms of a deployment. */
export interface RosterStore {
  /** By id. */
  listSchools(): Promise<School[]>;
  getSchool(id: string): Promise<School | undefined>;
  putSchool(school: School): Promise<void>;
  /** By id. */
  listClassrooms(): Promise<Classroom[]>;
  getClassroom(id: string): Promise<Classroom | undefined>;
  getClassroomByCode(code: string): Promise<Classroom | undefined>;
  /** Inserts or replaces a classroom. Throws ConflictError if its code belongs to another classroom. */
  putClassroom(classroom: Classroom): Promise<void>;
  /** All schools and classrooms of an import, atomically: either every record is written or none. */
  importRoster(schools: School[], classrooms: Classroom[]): Promise<void>;
}
