import { defineScript } from 'redis';
import type { CommandParser } from 'redis';

/**
 * RedisStore's whiteboard writes, each one Lua script so that no other client sees half of it (key layout
 * in keys.ts). KEYS of both: the operation stream, the snapshot hash (compaction: and the history stream).
 *
 * The seq of the last operation is the highest of the stream's last entry id and the snapshot's seq: the
 * stream keeps only the operations after the snapshot, and may be empty right after a compaction.
 */
const HEAD = `
local function head()
  local last = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0')
  local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
  if top[1] then
    local seq = tonumber(string.match(top[1][1], '^(%d+)'))
    if seq > last then last = seq end
  end
  return last
end
`;

/** ARGV: the operation's JSON (without seq). Reply: its seq. */
const APPEND = `${HEAD}
local seq = head() + 1
redis.call('XADD', KEYS[1], string.format('%d-0', seq), 'op', ARGV[1])
return seq
`;

/**
 * KEYS: the operation stream, the snapshot hash, the history stream. ARGV: the snapshot's seq, its JSON.
 * Reply: 1 (stored, the log's entries up to it moved to the history), 0 (an equal or newer snapshot is
 * stored: nothing changed), -1 (the snapshot is beyond the log: nothing changed).
 */
const COMPACT = `${HEAD}
local seq = tonumber(ARGV[1])
if seq > head() then return -1 end
local current = redis.call('HGET', KEYS[2], 'seq')
if current and tonumber(current) >= seq then return 0 end
redis.call('HSET', KEYS[2], 'seq', ARGV[1], 'state', ARGV[2])
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '-', string.format('%d-0', seq))) do
  redis.call('XADD', KEYS[3], entry[1], unpack(entry[2]))
end
redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d-1', seq))
return 1
`;

export interface BoardKeys {
  ops: string;
  snapshot: string;
  /** The operations compaction moved out of the log (same entry ids), kept for replay. */
  history: string;
}

export const appendBoardOpScript = defineScript({
  SCRIPT: APPEND,
  parseCommand(parser: CommandParser, keys: BoardKeys, json: string): void {
    parser.pushKeysLength([keys.ops, keys.snapshot]);
    parser.push(json);
  },
  transformReply(reply: unknown): number {
    if (typeof reply !== 'number')
      throw new Error(`unexpected reply of the board append script: ${String(reply)}`);
    return reply;
  },
});

export type CompactReply = 'stored' | 'older' | 'beyond-log';

export const compactBoardScript = defineScript({
  SCRIPT: COMPACT,
  parseCommand(parser: CommandParser, keys: BoardKeys, seq: number, json: string): void {
    parser.pushKeysLength([keys.ops, keys.snapshot, keys.history]);
    parser.push(String(seq), json);
  },
  transformReply(reply: unknown): CompactReply {
    if (reply === 1) return 'stored';
    if (reply === 0) return 'older';
    if (reply === -1) return 'beyond-log';
    throw new Error(`unexpected reply of the board compact script: ${String(reply)}`);
  },
});
