import { AppError } from '../errors.ts';
import type { Lesson } from '../lesson/Lesson.ts';
import type { LessonRegistry } from '../lesson/LessonRegistry.ts';
import type { Role } from '@cloudschool/protocol';
import type { IoSocket } from './types.ts';

export interface Joined {
  lesson: Lesson;
  peerId: string;
  role: Role;
  classroomId: string | null;
}

/** The lesson and role of a joined socket; refuses sockets that have not joined, or have none of the roles. */
export function joined(socket: IoSocket, lessons: LessonRegistry, ...roles: Role[]): Joined {
  const j = socket.data.joined;
  const lesson = j && lessons.get(j.lessonId);
  if (!j || !lesson) throw new AppError('not_joined', 'join a lesson first');
  if (roles.length > 0 && !roles.includes(j.role)) {
    throw new AppError('forbidden', `only the ${roles.join(' or ')} may do this`);
  }
  return { lesson, peerId: j.peerId, role: j.role, classroomId: j.classroomId };
}

/** A classroom's own id, for actions only classrooms take. */
export function classroomOf(socket: IoSocket, lessons: LessonRegistry): Joined & { classroomId: string } {
  const j = joined(socket, lessons, 'classroom');
  if (!j.classroomId) throw new AppError('forbidden', 'only a classroom may do this');
  return { ...j, classroomId: j.classroomId };
}

/** Media and the interaction run only while the lesson is live. */
export function live(lesson: Lesson): void {
  if (lesson.info.status !== 'live') throw new AppError('lesson_closed', 'the lesson is not live');
}
