/**
 * The order of what the stores list, the same in both: a store fetches the records and sorts them
 * here, so SQLite's byte-wise collation and Redis's member order never decide it.
 */

function compareStrings(a: string, b: string): number {
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
