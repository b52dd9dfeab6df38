import type { Request, Response } from 'express';
import { codeFingerprint } from '../auth/JoinTokens.ts';
import type { JoinTokens } from '../auth/JoinTokens.ts';
import type { Lesson } from '../domain/types.ts';
import { AppError } from '../errors.ts';
import type { LessonStore, RosterStore } from '../store/Store.ts';
import { accountOf } from './middleware.ts';

/**
 * Who may read a lesson's files (its courseware, its recordings): coordinators, its host teacher, and its
 * invited classrooms with their join token as `?t=` (classrooms have no login) — a genuine token of this
 * lesson (another lesson's: 403), expired or not (a classroom watches the recording later with the link it
 * had), whose classroom's code has not changed since (a new code revokes its old links).
 */
export async function readableLesson(
  req: Request,
  res: Response,
  store: LessonStore & RosterStore,
  tokens: JoinTokens,
): Promise<Lesson> {
  const lesson = await store.getLesson(String(req.params.id));
  if (!lesson) throw new AppError('not_found', 'no such lesson');
  const account = accountOf(res);
  if (account && (account.role === 'coordinator' || lesson.hostTeacherId === account.id)) return lesson;
  const token = typeof req.query.t === 'string' ? req.query.t : '';
  if (token !== '') {
    const claims = await tokens.verifyForReading(token);
    if (claims.lessonId !== lesson.id)
      throw new AppError('forbidden', 'this join link is for another lesson');
    if (!lesson.invitedClassroomIds.includes(claims.classroomId)) {
      throw new AppError('forbidden', 'this classroom is no longer invited to the lesson');
    }
    const classroom = await store.getClassroom(claims.classroomId);
    if (!classroom || codeFingerprint(classroom.code) !== claims.cf) {
      throw new AppError('invalid_token', 'this join link was replaced: ask for the new one');
    }
    return lesson;
  }
  if (account) throw new AppError('forbidden', 'this is not your lesson');
  throw new AppError('unauthenticated', 'log in, or open the lesson with its join link');
}

/**
 * Who may export a lesson's recording as a file: coordinators and its host teacher (a classroom watches
 * the replay; a file of the lesson leaves the platform, so it is the school's staff who take one).
 */
export async function exportableLesson(req: Request, res: Response, store: LessonStore): Promise<Lesson> {
  const lesson = await store.getLesson(String(req.params.id));
  if (!lesson) throw new AppError('not_found', 'no such lesson');
  const account = accountOf(res);
  if (!account) throw new AppError('unauthenticated', 'log in to export a recording');
  if (account.role !== 'coordinator' && lesson.hostTeacherId !== account.id)
    throw new AppError('forbidden', "only the lesson's host teacher and coordinators export its recording");
  return lesson;
}
