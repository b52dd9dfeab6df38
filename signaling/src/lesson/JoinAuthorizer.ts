import { lessonStatus } from '../domain/lessonStatus.ts';
import type { Account, Lesson } from '../domain/types.ts';
import { codeFingerprint } from '../auth/JoinTokens.ts';
import type { JoinTokens } from '../auth/JoinTokens.ts';
import { AppError } from '../errors.ts';
import type { Role } from '@cloudschool/protocol';
import type { LessonStore, RosterStore } from '../store/Store.ts';

export interface JoinRequest {
  lessonId: string;
  role: Role;
  token?: string | undefined;
}

export interface JoinGrant {
  lesson: Lesson;
  role: Role;
  displayName: string;
  /** Set for classrooms: whose attendance this connection is. */
  classroomId: string | null;
}

/**
 * Who may join which lesson in which role: the host teacher of the lesson
 * (by login session), an invited classroom (by a signed join token bound
 * to this lesson), or a coordinator on patrol as an observer. Ended and
 * cancelled lessons admit nobody.
 */
export class JoinAuthorizer {
  readonly #store: LessonStore & RosterStore;
  readonly #tokens: JoinTokens;

  constructor(store: LessonStore & RosterStore, tokens: JoinTokens) {
    this.#store = store;
    this.#tokens = tokens;
  }

  async authorize(request: JoinRequest, account: Account | undefined, now = Date.now()): Promise<JoinGrant> {
    if (request.role === 'host') {
      if (!account) throw new AppError('unauthenticated', 'log in as the lesson’s host teacher');
      const lesson = await this.#open(request.lessonId, now);
      if (lesson.hostTeacherId !== account.id)
        throw new AppError('forbidden', 'you are not this lesson’s host teacher');
      return { lesson, role: 'host', displayName: account.displayName, classroomId: null };
    }
    if (request.role === 'observer') {
      if (!account) throw new AppError('unauthenticated', 'log in as a coordinator to patrol lessons');
      if (account.role !== 'coordinator') throw new AppError('forbidden', 'only coordinators patrol lessons');
      const lesson = await this.#open(request.lessonId, now);
      return { lesson, role: 'observer', displayName: account.displayName, classroomId: null };
    }
    if (!request.token) throw new AppError('invalid_token', 'a classroom joins with its join link or code');
    const claims = await this.#tokens.verify(request.token);
    if (claims.lessonId !== request.lessonId)
      throw new AppError('invalid_token', 'this join link is for another lesson');
    const lesson = await this.#open(request.lessonId, now);
    if (!lesson.invitedClassroomIds.includes(claims.classroomId)) {
      throw new AppError('forbidden', 'this classroom is no longer invited to the lesson');
    }
    const classroom = await this.#store.getClassroom(claims.classroomId);
    if (!classroom || codeFingerprint(classroom.code) !== claims.cf) {
      throw new AppError('invalid_token', 'this join link was replaced: ask for the new one');
    }
    const school = classroom && (await this.#store.getSchool(classroom.schoolId));
    const displayName = classroom ? `${school?.name ?? ''} ${classroom.name}`.trim() : claims.classroomId;
    return { lesson, role: 'classroom', displayName, classroomId: claims.classroomId };
  }

  async #open(lessonId: string, now: number): Promise<Lesson> {
    const lesson = await this.#store.getLesson(lessonId);
    if (!lesson) throw new AppError('not_found', 'no such lesson');
    const status = lessonStatus(lesson, now);
    if (status === 'ended' || status === 'cancelled')
      throw new AppError('lesson_closed', `the lesson is ${status}`);
    return lesson;
  }
}
