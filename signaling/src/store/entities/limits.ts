import { z } from 'zod';
import { time } from './fields.ts';

/**
 * Counters of attempts (logins, classroom codes) per key (LimitStore), shared by every node of a
 * deployment: how many there were, until when the key refuses more, and when it is forgotten. A take is
 * a check and a count over several counters in one atomic step, so its storage is written by hand
 * (sqlite/SqliteAttempts.ts; redis/RedisAttempts.ts, a Lua script).
 */
export const attemptCounters = {
  name: 'attempt counter',
  schema: z.object({
    /** What is counted, e.g. `login:source:203.0.113.7` (auth/ builds them). */
    key: z.string().min(1).max(300),
    count: z.int().min(0),
    /** Attempts are refused before this time (epoch ms). */
    notBefore: time,
    /** The counter is forgotten at this time. */
    expiresAt: time,
  }),
} as const;

export type AttemptCounter = z.infer<typeof attemptCounters.schema>;

/** How long a counter refuses after its `count`-th attempt (LimitStore's AttemptRule). */
export function waitAfter(rule: { free: number; waits: readonly number[] }, count: number): number {
  if (count < rule.free) return 0;
  return rule.waits[Math.min(count - rule.free, rule.waits.length - 1)] ?? 0;
}
