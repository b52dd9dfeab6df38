/**
 * The order of what the stores list, the same in both: a store fetches the records and sorts them here
 * by the fields its entity declares, so SQLite's byte-wise collation and Redis's member order never decide it.
 */

/** Strings by UTF-16 code units (JavaScript's `<`). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorts `records` in place by each of `fields` in turn (an entity's order): numbers ascending, strings by
 * compareStrings. Array.prototype.sort is stable: records equal in every field keep the order they were
 * read in (the messages of one millisecond, in the order they were appended); without fields, all do.
 */
export function sortBy<T extends object>(records: T[], fields: readonly (keyof T)[] = []): T[] {
  return records.sort((a, b) => {
    for (const field of fields) {
      const x = a[field];
      const y = b[field];
      const order =
        typeof x === 'number' && typeof y === 'number' ? x - y : compareStrings(String(x), String(y));
      if (order !== 0) return order;
    }
    return 0;
  });
}
