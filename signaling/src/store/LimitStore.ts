import type { AttemptCounter } from './entities/limits.ts';

/** One counter an attempt counts against, and how it answers. */
export interface AttemptRule {
  key: string;
  /** Attempts in a row before the first wait (at least 1). */
  free: number;
  /**
   * How long (ms) the counter refuses attempts after the free-th one (waits[0]), after the next (waits[1]),
   * the last entry after every later one. E.g. free 2, waits [1000, 2000]: two attempts at once, then
   * 1 s, then 2 s between each.
   */
  waits: readonly number[];
  /** The counter is forgotten this long after its last attempt (or at the end of its wait, if later). */
  forgetMs: number;
}

export type AttemptAnswer =
  | { ok: true; counts: number[] }
  /** The latest time one of the counters refuses until. */
  | { ok: false; retryAt: number };

/**
 * Attempts counted per key across every node (failed logins, wrong classroom codes): the counters behind
 * auth/LoginLimiter.ts and auth/CodeEntryLimiter.ts. An attempt is counted before it is tried, in the
 * same atomic step as the check, so concurrent attempts cannot all slip through one free slot.
 */
export interface LimitStore {
  /**
   * An attempt against every counter of `rules`, all or nothing: while any of them refuses (now is
   * before its notBefore) nothing changes and the answer is when the last of them stops refusing; else
   * each counts one more, refuses for its wait from `now` on, and answers the counts.
   */
  takeAttempt(rules: readonly AttemptRule[], now: number): Promise<AttemptAnswer>;
  /** Takes an attempt back (it succeeded): one less, and no wait from it. Nothing if forgotten. */
  refundAttempt(key: string, now: number): Promise<void>;
  clearAttempts(key: string): Promise<void>;
  /** Undefined once forgotten. */
  getAttempts(key: string, now: number): Promise<AttemptCounter | undefined>;
}
