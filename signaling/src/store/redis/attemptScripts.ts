import { defineScript } from 'redis';
import type { CommandParser } from 'redis';
import type { AttemptAnswer, AttemptRule } from '../LimitStore.ts';

/**
 * RedisStore's attempt counters (RedisAttempts.ts), each a hash `count`, `notBefore`, `expiresAt` that
 * Redis drops when it is forgotten. A take is one script: no other client sees the check without the count.
 *
 * take: KEYS the counters; ARGV now, then per counter: forgetMs, free, the number of waits, the waits.
 * Reply: {0, retryAt} (refused, nothing written) or {1, count…}.
 */
const TAKE = `
local now = tonumber(ARGV[1])
local retry = 0
for i = 1, #KEYS do
  local nb = tonumber(redis.call('HGET', KEYS[i], 'notBefore') or '0')
  if nb > now and nb > retry then retry = nb end
end
if retry > 0 then return {0, retry} end
local reply = {1}
local a = 2
for i = 1, #KEYS do
  local forget = tonumber(ARGV[a])
  local free = tonumber(ARGV[a + 1])
  local n = tonumber(ARGV[a + 2])
  local count = redis.call('HINCRBY', KEYS[i], 'count', 1)
  local wait = 0
  if count >= free then wait = tonumber(ARGV[a + 3 + math.min(count - free, n - 1)]) end
  local keep = math.max(forget, wait)
  redis.call('HSET', KEYS[i], 'notBefore', now + wait, 'expiresAt', now + keep)
  redis.call('PEXPIRE', KEYS[i], keep)
  reply[#reply + 1] = count
  a = a + 3 + n
end
return reply
`;

/** refund: KEYS the counter; ARGV now. One less (never below 0), and no wait; nothing if forgotten. */
const REFUND = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local count = tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
if count > 0 then redis.call('HSET', KEYS[1], 'count', count - 1) end
local nb = tonumber(redis.call('HGET', KEYS[1], 'notBefore') or '0')
if nb > tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'notBefore', ARGV[1]) end
return 1
`;

export const takeAttemptScript = defineScript({
  SCRIPT: TAKE,
  parseCommand(parser: CommandParser, keys: readonly string[], rules: readonly AttemptRule[], now: number) {
    parser.pushKeysLength([...keys]);
    parser.push(String(now));
    for (const rule of rules) {
      parser.push(
        String(rule.forgetMs),
        String(rule.free),
        String(rule.waits.length),
        ...rule.waits.map(String),
      );
    }
  },
  transformReply(reply: unknown): AttemptAnswer {
    if (Array.isArray(reply) && reply.every((item) => typeof item === 'number')) {
      const [ok, ...rest] = reply as number[];
      if (ok === 0 && rest.length === 1) return { ok: false, retryAt: rest[0] ?? 0 };
      if (ok === 1) return { ok: true, counts: rest };
    }
    throw new Error(`unexpected reply of the take-attempt script: ${JSON.stringify(reply)}`);
  },
});

export const refundAttemptScript = defineScript({
  SCRIPT: REFUND,
  parseCommand(parser: CommandParser, key: string, now: number) {
    parser.pushKeysLength([key]);
    parser.push(String(now));
  },
  transformReply(reply: unknown): boolean {
    return reply === 1;
  },
});
