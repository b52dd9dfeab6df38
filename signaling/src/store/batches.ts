import type { Entity, Field } from './entity.ts';
import { checkRecord } from './records.ts';
import { ConflictError } from './Store.ts';

/**
 * What a batch write means, the same in both stores: every record is checked against its schema; a record
 * whose key comes again later in the batch is replaced by the later one (as if the batch were written in
 * order); two records of the batch with one unique value (a classroom code) conflict.
 *
 * A batch is written as a whole: a record may take the unique value that another record of the same batch
 * gives up (two classrooms swapping codes is one import), but not one held by a record outside it.
 */
export function checkBatch<T extends object, S extends Field<T>, I extends Field<T>>(
  entity: Entity<T, S, I>,
  records: readonly T[],
): T[] {
  const byKey = new Map<string, T>();
  for (const record of records) {
    const checked = checkRecord(entity.schema, record, entity.name);
    const key = JSON.stringify([...entity.scope, entity.id].map((field) => checked[field]));
    byKey.set(key, checked);
  }
  const batch = [...byKey.values()];
  if (entity.unique !== undefined) {
    const holders = new Map<unknown, unknown>();
    for (const record of batch) {
      const value = record[entity.unique];
      const other = holders.get(value);
      if (other !== undefined) {
        throw new ConflictError(
          `${entity.name}s ${String(other)} and ${String(record[entity.id])} both have the ${entity.unique} ${String(value)}`,
        );
      }
      holders.set(value, record[entity.id]);
    }
  }
  return batch;
}
