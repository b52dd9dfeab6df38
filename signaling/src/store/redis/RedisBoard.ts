import type { BoardOp, BoardState } from '@cloudschool/board';
import { z } from 'zod';
import type { BoardStore, StoredBoard } from '../BoardStore.ts';
import { boardSnapshot, decodeBoardOp } from '../entities/board.ts';
import { CorruptRecordError, decodeJsonRecord, decodeRecord, InvalidRecordError } from '../records.ts';
import type { BoardKeys } from './boardScripts.ts';
import type { StoreClient } from './client.ts';
import type { RedisKeys } from './keys.ts';

/** A stream entry as XRANGE answers it (checked, as a MULTI's replies are untyped). */
const streamEntries = z.array(z.object({ id: z.string(), message: z.record(z.string(), z.string()) }));

/**
 * The whiteboard in Redis: each lesson's operation log a stream (`<p>:board-ops:<lessonId>`, entry id
 * `<seq>-0`), its snapshot a hash (`<p>:board-snapshot:<lessonId>`), the operations compaction moved out of
 * the log a stream (`<p>:board-history:<lessonId>`), all written only by the scripts of boardScripts.ts. Operations and snapshots come checked (CollectionStore).
 */
export class RedisBoard implements BoardStore {
  readonly #client: StoreClient;
  readonly #keys: RedisKeys;

  constructor(client: StoreClient, keys: RedisKeys) {
    this.#client = client;
    this.#keys = keys;
  }

  async appendBoardOp(lessonId: string, op: Omit<BoardOp, 'seq'>): Promise<number> {
    return this.#client.appendBoardOp(this.#boardKeys(lessonId), JSON.stringify(op));
  }

  async readBoardOps(lessonId: string, afterSeq: number): Promise<BoardOp[]> {
    const { ops } = this.#boardKeys(lessonId);
    return decodeStreamOps(ops, await this.#client.xRange(ops, `${afterSeq + 1}-0`, '+'));
  }

  async loadBoard(lessonId: string): Promise<StoredBoard> {
    const keys = this.#boardKeys(lessonId);
    // One MULTI: the snapshot and the log as of one instant, never across a compaction.
    const [fields, entries] = await this.#client
      .multi()
      .hGetAll(keys.snapshot)
      .xRange(keys.ops, '-', '+')
      .exec();
    const json = decodeRecord(z.record(z.string(), z.string()), fields, keys.snapshot)['state'];
    const where = `${keys.snapshot} state`;
    const snapshot = json === undefined ? null : decodeJsonRecord(boardSnapshot, json, where);
    const ops = decodeStreamOps(keys.ops, entries).filter((op) => op.seq > (snapshot?.seq ?? 0));
    return { snapshot, ops };
  }

  async readBoardHistory(lessonId: string, afterSeq: number, limit: number): Promise<BoardOp[]> {
    const keys = this.#boardKeys(lessonId);
    const from = `${afterSeq + 1}-0`;
    // One MULTI: a compaction moves operations from the log to the history in one script, so these two
    // reads see each operation in exactly one of them.
    const [older, newer] = await this.#client
      .multi()
      .xRange(keys.history, from, '+', { COUNT: limit })
      .xRange(keys.ops, from, '+', { COUNT: limit })
      .exec();
    const ops = [...decodeStreamOps(keys.history, older), ...decodeStreamOps(keys.ops, newer)];
    return ops.slice(0, limit);
  }

  async compactBoard(lessonId: string, snapshot: BoardState): Promise<void> {
    const reply = await this.#client.compactBoard(
      this.#boardKeys(lessonId),
      snapshot.seq,
      JSON.stringify(snapshot),
    );
    if (reply === 'beyond-log') {
      throw new InvalidRecordError(`board snapshot at seq ${snapshot.seq} is beyond the log`);
    }
  }

  #boardKeys(lessonId: string): BoardKeys {
    return {
      ops: this.#keys.key('board-ops', lessonId),
      snapshot: this.#keys.key('board-snapshot', lessonId),
      history: this.#keys.key('board-history', lessonId),
    };
  }
}

/** The operations of XRANGE entries: the seq is the entry id's first part, the JSON its `op` field. */
function decodeStreamOps(key: string, entries: unknown): BoardOp[] {
  const parsed = streamEntries.safeParse(entries);
  if (!parsed.success) throw new CorruptRecordError(`${key}: not a stream of operations`);
  return parsed.data.map(({ id, message }) => {
    const seq = Number(id.split('-')[0]);
    const json = message['op'];
    if (json === undefined) throw new CorruptRecordError(`${key} ${id}: no op field`);
    return decodeBoardOp(seq, json, `${key} ${id}`);
  });
}
