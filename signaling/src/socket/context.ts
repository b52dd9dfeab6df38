import type { Role } from '@cloudschool/protocol';
import { AppError } from '../errors.ts';
import type { LiveLesson } from '../lesson/LiveLesson.ts';
import type { LiveLessons } from '../lesson/LiveLessons.ts';
import type { Page } from '../lesson/Roster.ts';
import type { IoSocket } from './types.ts';

export interface Joined {
  lesson: LiveLesson;
  page: Page;
}

/** The lesson and page of a joined socket; refuses sockets that have not joined, or have none of the roles. */
export function joined(socket: IoSocket, lessons: LiveLessons, ...roles: Role[]): Joined {
  const j = socket.data.joined;
  const lesson = j && lessons.get(j.lessonId);
  const page = j && lesson?.page(j.peerId);
  if (!lesson || !page) throw new AppError('not_joined', 'join a lesson first');
  if (roles.length > 0 && !roles.includes(page.role)) {
    throw new AppError('forbidden', `only the ${roles.join(' or ')} may do this`);
  }
  return { lesson, page };
}

/** A classroom's own page, for actions only classrooms take. */
export function classroomOf(socket: IoSocket, lessons: LiveLessons): Joined & { classroomId: string } {
  const j = joined(socket, lessons, 'classroom');
  if (!j.page.classroomId) throw new AppError('forbidden', 'only a classroom may do this');
  return { ...j, classroomId: j.page.classroomId };
}

/** Media and the interaction run only while the lesson is live. */
export function live(lesson: LiveLesson): void {
  if (lesson.info.status !== 'live') throw new AppError('lesson_closed', 'the lesson is not live');
}
