import { z } from 'zod';

/**
 * Checking records on their way into a store and decoding them on their way out, with the schemas of
 * the entity declarations (entities/). A record is checked before it is written, so a store never holds
 * what its schema refuses; everything read back is parsed again, so a corrupted or hand-edited value
 * fails loudly instead of flowing on as a wrongly typed object.
 */

/** A record read back from a store does not match its schema: the store holds data this code did not write. */
export class CorruptRecordError extends Error {
  override name = 'CorruptRecordError';
}

/** A record handed to a store does not match its schema (e.g. a lesson longer than MAX_LESSON_MS). */
export class InvalidRecordError extends Error {
  override name = 'InvalidRecordError';
}

/** Checks a record before it is written; returns it stripped of properties its type does not have. */
export function checkRecord<T>(schema: z.ZodType<T>, value: T, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidRecordError(`invalid ${what}: ${z.prettifyError(result.error)}`, {
      cause: result.error,
    });
  }
  return result.data;
}

/** Checks a time-to-live in milliseconds: a positive integer. */
export function checkTtl(ttlMs: number): number {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new InvalidRecordError(`invalid ttl: ${ttlMs} is not a positive integer of milliseconds`);
  }
  return ttlMs;
}

/** Parses a value read back from a store; `where` names it (a Redis key, a table row) in the error. */
export function decodeRecord<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new CorruptRecordError(`${where}: ${z.prettifyError(result.error)}`, { cause: result.error });
  }
  return result.data;
}

/** Parses JSON text read back from a store; its record is decoded after (decodeRecord). */
export function parseStoredJson(json: string, where: string): unknown {
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new CorruptRecordError(`${where}: not JSON`, { cause: error });
  }
}

/** Parses JSON text read back from a store, then its record. */
export function decodeJsonRecord<T>(schema: z.ZodType<T>, json: string, where: string): T {
  return decodeRecord(schema, parseStoredJson(json, where), where);
}
