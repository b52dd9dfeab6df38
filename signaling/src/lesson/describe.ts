import type { LessonInfo } from '@cloudschool/protocol';
import { DEFAULT_TIME_ZONE } from '../domain/roster.ts';
import type { Lesson } from '../domain/types.ts';
import { lessonInfo } from '../services/views.ts';
import type { RosterStore } from '../store/Store.ts';
import type { Invitation } from './Roster.ts';

/** The zone a lesson's times are shown in: its host school's. */
export async function lessonTimeZone(
  store: Pick<RosterStore, 'getClassroom' | 'getSchool'>,
  lesson: Pick<Lesson, 'hostClassroomId'>,
): Promise<string> {
  const classroom = await store.getClassroom(lesson.hostClassroomId);
  const school = classroom && (await store.getSchool(classroom.schoolId));
  return school?.timeZone ?? DEFAULT_TIME_ZONE;
}

/** What a running lesson needs of its record: the schedule side, and the invited classrooms with their names. */
export async function describeLesson(
  store: RosterStore,
  lesson: Lesson,
): Promise<{ info: LessonInfo; invitation: Invitation }> {
  const [zone, classrooms, schools] = await Promise.all([
    lessonTimeZone(store, lesson),
    store.listClassrooms(),
    store.listSchools(),
  ]);
  const schoolName = new Map(schools.map((s) => [s.id, s.name]));
  const classroomNames = new Map(
    classrooms.map((c) => [c.id, `${schoolName.get(c.schoolId) ?? ''} ${c.name}`.trim()]),
  );
  return {
    info: lessonInfo(lesson, Date.now(), zone),
    invitation: { invitedClassroomIds: lesson.invitedClassroomIds, classroomNames },
  };
}
