import type { Classroom, Lesson, School } from '../domain/types.ts';
import { checkRecord, classroomSchema, lessonSchema, schoolSchema } from './records.ts';
import { ConflictError } from './Store.ts';

/**
 * What both stores do to a batch before writing it, so they agree on its meaning: every record is
 * checked against its schema; a record whose id comes again later in the batch is replaced by the later
 * one (as if the batch were written in order); two classrooms of the batch with one code conflict.
 *
 * A batch is written as a whole: a classroom may take the code that another classroom of the same batch
 * gives up (two classrooms swapping codes is one import), but not a code held by a classroom outside it.
 */
export function prepareRoster(
  schools: readonly School[],
  classrooms: readonly Classroom[],
): { schools: School[]; classrooms: Classroom[] } {
  const checkedSchools = lastById(schools.map((school) => checkRecord(schoolSchema, school, 'school')));
  const checkedClassrooms = lastById(
    classrooms.map((classroom) => checkRecord(classroomSchema, classroom, 'classroom')),
  );
  const codes = new Map<string, string>();
  for (const classroom of checkedClassrooms) {
    const other = codes.get(classroom.code);
    if (other !== undefined) {
      throw new ConflictError(`classrooms ${other} and ${classroom.id} both have the code ${classroom.code}`);
    }
    codes.set(classroom.code, classroom.id);
  }
  return { schools: checkedSchools, classrooms: checkedClassrooms };
}

/** Checks a batch of lessons; a lesson whose id comes again later is replaced by the later one. */
export function prepareLessons(lessons: readonly Lesson[]): Lesson[] {
  return lastById(lessons.map((lesson) => checkRecord(lessonSchema, lesson, 'lesson')));
}

function lastById<T extends { id: string }>(records: readonly T[]): T[] {
  return [...new Map(records.map((record) => [record.id, record])).values()];
}
