import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { MAX_LESSON_MS, serial } from '@cloudschool/protocol';
import type { lessonRequest } from '@cloudschool/protocol';
import { canStart, lessonStatus, TOKEN_GRACE_MS } from '../domain/lessonStatus.ts';
import { endOfDayIn, findConflicts, resolveInvitation, weeklyStarts } from '../domain/schedule.ts';
import type { Account, Classroom, Lesson, School } from '../domain/types.ts';
import { codeFingerprint } from '../auth/JoinTokens.ts';
import type { JoinTokens } from '../auth/JoinTokens.ts';
import { AppError } from '../errors.ts';
import { lessonTimeZone } from '../lesson/describe.ts';
import type { AccountStore, LessonStore, RosterStore } from '../store/Store.ts';

/** A lesson as a coordinator asks for it: the protocol's `lessonRequest` once parsed (defaults filled in). */
export type LessonInput = z.output<typeof lessonRequest>;

export interface LessonChange {
  lesson: Lesson;
  /** The record before an update (who was invited, who taught). */
  before?: Lesson;
  /** What changed for a running lesson: its pages must be told. */
  kind: 'updated' | 'started' | 'ended' | 'cancelled';
  /** Who started or ended it (the audit log names them). */
  by?: Account;
}

/** Scheduling and running lessons: the rules of issue "lessons for real schools". */
export class LessonService {
  readonly #store: LessonStore & RosterStore & AccountStore;
  readonly #tokens: JoinTokens;
  readonly #onChange: (change: LessonChange) => void;
  /** Serializes bookings on this node so two coordinators cannot book one classroom at once. */
  readonly #booking = serial();

  constructor(
    store: LessonStore & RosterStore & AccountStore,
    tokens: JoinTokens,
    onChange: (change: LessonChange) => void,
  ) {
    this.#store = store;
    this.#tokens = tokens;
    this.#onChange = onChange;
  }

  get tokens(): JoinTokens {
    return this.#tokens;
  }

  async get(id: string): Promise<Lesson> {
    const lesson = await this.#store.getLesson(id);
    if (!lesson) throw new AppError('not_found', 'no such lesson');
    return lesson;
  }

  /** The host school's zone: the one the lesson's times are shown in. */
  timeZoneOf(lesson: Pick<Lesson, 'hostClassroomId'>): Promise<string> {
    return lessonTimeZone(this.#store, lesson);
  }

  create(input: LessonInput, by: Account, now = Date.now()): Promise<Lesson[]> {
    return this.#serialized(async () => {
      const { classrooms, schools, base } = await this.#prepare(input);
      const seriesId = input.repeatWeeklyUntil ? randomUUID() : null;
      const until = input.repeatWeeklyUntil
        ? endOfDayIn(input.repeatWeeklyUntil, await this.timeZoneOf(input))
        : base.startsAt;
      if (until < base.startsAt)
        throw new AppError('bad_request', 'repeat-until date is before the first lesson');
      const duration = base.endsAt - base.startsAt;
      const lessons: Lesson[] = weeklyStarts(base.startsAt, until).map((startsAt) => ({
        ...base,
        id: randomUUID(),
        startsAt,
        endsAt: startsAt + duration,
        seriesId,
        status: 'scheduled',
        startedAt: null,
        endedAt: null,
        createdBy: by.id,
        createdAt: now,
        updatedAt: now,
      }));
      await this.#assertNoConflicts(lessons, classrooms, schools);
      await this.#store.putLessons(lessons);
      return lessons;
    });
  }

  update(id: string, input: LessonInput, now = Date.now()): Promise<Lesson> {
    return this.#serialized(async () => {
      const existing = await this.get(id);
      const status = lessonStatus(existing, now);
      if (status === 'ended' || status === 'cancelled')
        throw new AppError('lesson_closed', `the lesson is ${status}`);
      const { classrooms, schools, base } = await this.#prepare(input);
      const lesson: Lesson = {
        ...existing,
        ...base,
        recordAutomatically: input.recordAutomatically ?? existing.recordAutomatically === true,
        updatedAt: now,
      };
      await this.#assertNoConflicts([lesson], classrooms, schools);
      await this.#store.putLessons([lesson]);
      this.#onChange({ lesson, before: existing, kind: 'updated' });
      return lesson;
    });
  }

  async cancel(id: string, now = Date.now()): Promise<Lesson> {
    const existing = await this.get(id);
    const status = lessonStatus(existing, now);
    if (status === 'ended' || status === 'cancelled')
      throw new AppError('lesson_closed', `the lesson is ${status}`);
    const lesson: Lesson = { ...existing, status: 'cancelled', updatedAt: now };
    await this.#store.putLessons([lesson]);
    this.#onChange({ lesson, kind: 'cancelled' });
    return lesson;
  }

  /** Only its host teacher starts a lesson, only inside its window. */
  async start(id: string, by: Account, now = Date.now()): Promise<Lesson> {
    const existing = await this.get(id);
    if (existing.hostTeacherId !== by.id)
      throw new AppError('forbidden', 'only the lesson’s host teacher may start it');
    if (existing.status === 'live') return existing;
    if (!canStart(existing, now)) {
      const status = lessonStatus(existing, now);
      const message =
        status === 'scheduled'
          ? 'a lesson starts from 15 minutes before its start'
          : `the lesson is ${status}`;
      throw new AppError(status === 'scheduled' ? 'outside_window' : 'lesson_closed', message);
    }
    const lesson: Lesson = { ...existing, status: 'live', startedAt: now, updatedAt: now };
    await this.#store.putLessons([lesson]);
    this.#onChange({ lesson, kind: 'started', by });
    return lesson;
  }

  async end(id: string, by: Account, now = Date.now()): Promise<Lesson> {
    const existing = await this.get(id);
    if (existing.hostTeacherId !== by.id && by.role !== 'coordinator') {
      throw new AppError('forbidden', 'only the lesson’s host teacher or a coordinator may end it');
    }
    if (existing.status !== 'live') throw new AppError('lesson_closed', 'the lesson is not live');
    const lesson: Lesson = { ...existing, status: 'ended', endedAt: now, updatedAt: now };
    await this.#store.putLessons([lesson]);
    this.#onChange({ lesson, kind: 'ended', by });
    return lesson;
  }

  /** A signed join link for one invited classroom (and its current code), valid until after the lesson. */
  async joinToken(lesson: Lesson, classroomId: string): Promise<string> {
    const classroom = await this.#store.getClassroom(classroomId);
    if (!classroom) throw new AppError('not_found', 'no such classroom');
    return this.#tokens.sign(
      { lessonId: lesson.id, classroomId, role: 'classroom', cf: codeFingerprint(classroom.code) },
      lesson.endsAt + TOKEN_GRACE_MS,
    );
  }

  /** The lesson a classroom that typed its code should enter now: live, open, or next today. */
  async currentLessonOf(classroomId: string, now = Date.now()): Promise<Lesson | undefined> {
    const candidates = (await this.#store.listLessons({ from: now, to: now + 24 * 3600_000 })).filter(
      (l) =>
        l.invitedClassroomIds.includes(classroomId) &&
        ['scheduled', 'live'].includes(l.status) &&
        l.endsAt > now,
    );
    return candidates.find((l) => l.status === 'live') ?? candidates[0];
  }

  async #prepare(input: LessonInput): Promise<{
    classrooms: Map<string, Classroom>;
    schools: Map<string, School>;
    base: Pick<
      Lesson,
      | 'title'
      | 'subject'
      | 'grade'
      | 'hostClassroomId'
      | 'hostTeacherId'
      | 'startsAt'
      | 'endsAt'
      | 'invitedClassroomIds'
      | 'recordAutomatically'
    >;
  }> {
    const startsAt = Date.parse(input.startsAt);
    const endsAt = Date.parse(input.endsAt);
    if (!(endsAt > startsAt)) throw new AppError('bad_request', 'the lesson must end after it starts');
    if (endsAt - startsAt > MAX_LESSON_MS)
      throw new AppError('bad_request', 'a lesson lasts at most 12 hours');
    const [classroomList, schoolList, teacher] = await Promise.all([
      this.#store.listClassrooms(),
      this.#store.listSchools(),
      this.#store.getAccount(input.hostTeacherId),
    ]);
    const classrooms = new Map(classroomList.map((c) => [c.id, c]));
    const schools = new Map(schoolList.map((s) => [s.id, s]));
    const host = classrooms.get(input.hostClassroomId);
    if (!host || host.kind !== 'host')
      throw new AppError('bad_request', 'the host classroom must be a host-kind classroom');
    if (!teacher || teacher.role !== 'teacher')
      throw new AppError('bad_request', 'the host teacher must be a teacher account');
    const unknown = input.invite.classroomIds.filter((id) => !classrooms.has(id));
    if (unknown.length > 0)
      throw new AppError('bad_request', `unknown classrooms: ${unknown.slice(0, 5).join(', ')}`);
    const invitedClassroomIds = resolveInvitation(input.invite, classroomList, schoolList, host.id);
    if (invitedClassroomIds.length === 0)
      throw new AppError('bad_request', 'invite at least one remote classroom');
    return {
      classrooms,
      schools,
      base: {
        title: input.title,
        subject: input.subject,
        grade: input.grade,
        hostClassroomId: host.id,
        hostTeacherId: teacher.id,
        startsAt,
        endsAt,
        invitedClassroomIds,
        recordAutomatically: input.recordAutomatically ?? false,
      },
    };
  }

  async #assertNoConflicts(
    lessons: Lesson[],
    classrooms: Map<string, Classroom>,
    schools: Map<string, School>,
  ): Promise<void> {
    const from = Math.min(...lessons.map((l) => l.startsAt));
    const to = Math.max(...lessons.map((l) => l.endsAt));
    const existing = await this.#store.listLessons({ from, to });
    const conflicts = findConflicts(lessons, existing, classrooms, schools);
    if (conflicts.length > 0) {
      const first = conflicts[0]!;
      throw new AppError(
        'conflict',
        `${first.schoolName} ${first.classroomName} is already booked for “${first.lessonTitle}”` +
          (conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : ''),
        { conflicts: conflicts.slice(0, 200) },
      );
    }
  }

  #serialized<T>(work: () => Promise<T>): Promise<T> {
    return this.#booking(work);
  }
}
