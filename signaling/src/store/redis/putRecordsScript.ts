import { defineScript } from 'redis';
import type { CommandParser } from 'redis';

/**
 * The write of records with a unique value (Entity.unique: classrooms by code, accounts by username),
 * optionally with plain records (the schools of a roster import), atomically by one Lua script; see
 * RedisCollection's put. The script checks everything before it writes anything, so a conflict
 * leaves Redis untouched.
 *
 * The caller reads each indexed record first (to know which index entry it gives up) and passes what it
 * read; if a record changed in between, the script answers RETRY and writes nothing, and the caller
 * reads again (optimistic concurrency, as WATCH would do, without tying up the shared connection).
 *
 * KEYS: indexedSet, plainSet, then for each indexed record: recordKey, newIndexKey, oldIndexKey
 *       (oldIndexKey = newIndexKey when the record is new or keeps its index value),
 *       then for each plain record: recordKey
 * ARGV: indexedCount, plainCount, then for each indexed record: id, json, expected (the JSON read
 *       before, '' if there was none), then for each plain record: id, json
 * Reply: 'OK' | 'RETRY' | 'CONFLICT:<i>' (the i-th indexed record's index value belongs to a record
 *        outside the batch).
 *
 * Within a batch, an index value may pass from one record to another (two classrooms swap codes): an
 * owner that is itself part of the batch gives its value up, as the batch holds no value twice.
 */
const SCRIPT = `
local n = tonumber(ARGV[1])
local m = tonumber(ARGV[2])
local batch = {}
for i = 0, n - 1 do batch[ARGV[3 + 3 * i]] = true end
for i = 0, n - 1 do
  local id = ARGV[3 + 3 * i]
  local current = redis.call('GET', KEYS[3 + 3 * i]) or ''
  if current ~= ARGV[5 + 3 * i] then return 'RETRY' end
  local owner = redis.call('GET', KEYS[4 + 3 * i])
  if owner and owner ~= id and not batch[owner] then return 'CONFLICT:' .. i end
end
for i = 0, n - 1 do
  local old = KEYS[5 + 3 * i]
  if old ~= KEYS[4 + 3 * i] and redis.call('GET', old) == ARGV[3 + 3 * i] then redis.call('DEL', old) end
end
for i = 0, n - 1 do
  local id = ARGV[3 + 3 * i]
  redis.call('SET', KEYS[3 + 3 * i], ARGV[4 + 3 * i])
  redis.call('SET', KEYS[4 + 3 * i], id)
  redis.call('SADD', KEYS[1], id)
end
for j = 0, m - 1 do
  redis.call('SET', KEYS[3 + 3 * n + j], ARGV[4 + 3 * n + 2 * j])
  redis.call('SADD', KEYS[2], ARGV[3 + 3 * n + 2 * j])
end
return 'OK'
`;

export interface IndexedRecordWrite {
  id: string;
  json: string;
  recordKey: string;
  indexKey: string;
  /** The index key of the record as it was read, if it existed. */
  oldIndexKey: string | undefined;
  /** The JSON read, if the record existed. */
  expected: string | undefined;
}

export interface PlainRecordWrite {
  id: string;
  json: string;
  recordKey: string;
}

export interface PutRecords {
  indexedSet: string;
  indexed: IndexedRecordWrite[];
  plainSet: string;
  plain: PlainRecordWrite[];
}

export type PutRecordsReply = { ok: true } | { ok: false; retry: true } | { ok: false; conflict: number };

export const putRecordsScript = defineScript({
  SCRIPT,
  parseCommand(parser: CommandParser, write: PutRecords): void {
    const keys = [write.indexedSet, write.plainSet];
    const args = [String(write.indexed.length), String(write.plain.length)];
    for (const record of write.indexed) {
      keys.push(record.recordKey, record.indexKey, record.oldIndexKey ?? record.indexKey);
      args.push(record.id, record.json, record.expected ?? '');
    }
    for (const record of write.plain) {
      keys.push(record.recordKey);
      args.push(record.id, record.json);
    }
    parser.pushKeysLength(keys);
    for (const arg of args) parser.push(arg);
  },
  transformReply(reply: unknown): PutRecordsReply {
    if (reply === 'OK') return { ok: true };
    if (reply === 'RETRY') return { ok: false, retry: true };
    if (typeof reply === 'string' && reply.startsWith('CONFLICT:')) {
      return { ok: false, conflict: Number(reply.slice('CONFLICT:'.length)) };
    }
    throw new Error(`unexpected reply of the put-records script: ${String(reply)}`);
  },
});
