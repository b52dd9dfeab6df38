import { lessonStatus } from '../domain/lessonStatus.ts';
import { DEFAULT_TIME_ZONE } from '../domain/roster.ts';
import type { Account, Classroom, Lesson, School } from '../domain/types.ts';
import type { AccountView, ClassroomView, LessonInfo, LessonView, SchoolView } from '@cloudschool/protocol';

export const accountView = (a: Account): AccountView => ({
  id: a.id,
  username: a.username,
  displayName: a.displayName,
  role: a.role,
  disabled: a.disabled === true,
});

export const schoolView = (s: School): SchoolView => ({ ...s });
export const classroomView = (c: Classroom): ClassroomView => ({ ...c });

export interface LessonNames {
  timeZone: string | undefined;
  hostClassroomName: string;
  hostSchoolName: string;
  hostTeacherName: string;
}

export function lessonView(lesson: Lesson, now: number, names: LessonNames): LessonView {
  return {
    id: lesson.id,
    title: lesson.title,
    subject: lesson.subject,
    grade: lesson.grade,
    hostClassroomId: lesson.hostClassroomId,
    hostTeacherId: lesson.hostTeacherId,
    startsAt: new Date(lesson.startsAt).toISOString(),
    endsAt: new Date(lesson.endsAt).toISOString(),
    invitedClassroomIds: lesson.invitedClassroomIds,
    seriesId: lesson.seriesId,
    status: lessonStatus(lesson, now),
    timeZone: names.timeZone ?? DEFAULT_TIME_ZONE,
    hostClassroomName: names.hostClassroomName,
    hostSchoolName: names.hostSchoolName,
    hostTeacherName: names.hostTeacherName,
    recordAutomatically: lesson.recordAutomatically === true,
  };
}

export function lessonInfo(lesson: Lesson, now: number, timeZone = DEFAULT_TIME_ZONE): LessonInfo {
  return {
    title: lesson.title,
    subject: lesson.subject,
    grade: lesson.grade,
    startsAt: new Date(lesson.startsAt).toISOString(),
    endsAt: new Date(lesson.endsAt).toISOString(),
    timeZone,
    status: lessonStatus(lesson, now),
  };
}
