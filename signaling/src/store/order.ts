/**
 * The order of what the stores list, the same in both: a store fetches the records and sorts them
 * here, so SQLite's byte-wise collation and Redis's member order never decide it.
 */

/** Strings by UTF-16 code units (JavaScript's `<`), e.g. the voters of a question. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Schools, classrooms and accounts: by id. */
export function byId(a: { id: string }, b: { id: string }): number {
  return compareStrings(a.id, b.id);
}

/** Lessons: by start, then by id. */
export function byStart(a: { id: string; startsAt: number }, b: { id: string; startsAt: number }): number {
  return a.startsAt - b.startsAt || compareStrings(a.id, b.id);
}

/** Presences of a lesson: by connection id. */
export function byConnection(a: { connectionId: string }, b: { connectionId: string }): number {
  return compareStrings(a.connectionId, b.connectionId);
}

/** Hands up: oldest first, then by classroom id. */
export function byRaisedAt(
  a: { classroomId: string; raisedAt: number },
  b: { classroomId: string; raisedAt: number },
): number {
  return a.raisedAt - b.raisedAt || compareStrings(a.classroomId, b.classroomId);
}

/** Questions: by creation time, then by id. */
export function byCreatedAt(
  a: { id: string; createdAt: number },
  b: { id: string; createdAt: number },
): number {
  return a.createdAt - b.createdAt || compareStrings(a.id, b.id);
}

/** Quizzes: by start, then by id. */
export function byStartedAt(
  a: { id: string; startedAt: number },
  b: { id: string; startedAt: number },
): number {
  return a.startedAt - b.startedAt || compareStrings(a.id, b.id);
}

/** Quiz answers: by classroom id. */
export function byClassroom(a: { classroomId: string }, b: { classroomId: string }): number {
  return compareStrings(a.classroomId, b.classroomId);
}

/**
 * Backchannel messages: by time. The stores hand them over in the order they were appended and
 * Array.prototype.sort is stable, so messages of one millisecond keep that order.
 */
export function byAt(a: { at: number }, b: { at: number }): number {
  return a.at - b.at;
}
