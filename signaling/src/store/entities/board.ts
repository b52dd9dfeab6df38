import { boardOp, boardState } from '@cloudschool/board';
import type { BoardOp } from '@cloudschool/board';
import type { z } from 'zod';
import { CorruptRecordError, decodeRecord, parseStoredJson } from '../records.ts';

/**
 * The whiteboard's records (BoardStore): the protocol's own schemas. Its log is written by hand in each
 * store (sqlite/SqliteBoard.ts, redis/RedisBoard.ts): the store numbers the operations.
 */

/** An operation as the log keeps it: everything but its seq, which is its place in the log. */
export const boardOpRecord = boardOp.omit({ seq: true }) satisfies z.ZodType<Omit<BoardOp, 'seq'>>;

export const boardSnapshot = boardState;

/** Parses an operation read back from a log: its JSON (without seq) and its seq. */
export function decodeBoardOp(seq: number, json: string, where: string): BoardOp {
  const value = parseStoredJson(json, where);
  if (typeof value !== 'object' || value === null) throw new CorruptRecordError(`${where}: not an object`);
  return decodeRecord(boardOp, { ...value, seq }, where);
}
