import type { AttemptRule } from '../store/LimitStore.ts';
import type { LimitStore } from '../store/Store.ts';
import { doublingWaits, TooEarlyError } from './limits.ts';

/** How failed logins are limited (README.md in this folder explains the choice). */
export interface LoginLimits {
  /** Failed logins in a row from one source, whatever the accounts, before it waits (a school's NAT). */
  sourceFree: number;
  /** The longest wait of a source: short, as a whole school may share its address. */
  sourceMaxMs: number;
  /** Failed logins in a row of one account from one source before it waits. */
  pairFree: number;
  /** The longest wait of one account from one source. */
  pairMaxMs: number;
  /** Failed logins of one account, from everywhere, from which it is taken as under attack. */
  underAttack: number;
  /** The first wait; each later failure doubles it, up to the longest. */
  baseMs: number;
  /** Counts are forgotten this long after their last failure. */
  forgetMs: number;
}

export const LOGIN_LIMITS: LoginLimits = {
  sourceFree: 30,
  sourceMaxMs: 60_000,
  pairFree: 5,
  pairMaxMs: 15 * 60_000,
  underAttack: 20,
  baseMs: 1000,
  forgetMs: 3600_000,
};

/** A login being tried, counted as failed until it says it succeeded. */
export interface LoginAttempt {
  /** The password was right: the attempt is given back, and the account's failures from this source forgotten. */
  succeeded(): Promise<void>;
}

/**
 * Failed logins limited per source and per account, in the store, so every node counts the same (Redis
 * when clustered). Three counters:
 *
 * - the source's (all accounts together): `sourceFree` failures freely, then doubling waits;
 * - the account's from this source: `pairFree` failures freely, then doubling waits;
 * - the account's from everywhere: never refuses by itself, but from `underAttack` failures on, a
 *   source's failures against the account cost a wait from the first one (no free ones).
 *
 * So failures from A slow A, guessing one account is slowed from everywhere, and a source that has not
 * been failing (the owner at home) logs in with the right password whatever happens elsewhere. An attempt
 * is counted before the password is checked, in the same atomic step as the check, so concurrent guesses
 * cannot share one free attempt; the right password gives it back.
 */
export class LoginLimiter {
  readonly #store: LimitStore;
  readonly #limits: LoginLimits;
  readonly #now: () => number;
  readonly #waits: { source: number[]; pair: number[] };

  constructor(store: LimitStore, limits: LoginLimits = LOGIN_LIMITS, now: () => number = Date.now) {
    this.#store = store;
    this.#limits = limits;
    this.#now = now;
    this.#waits = {
      source: doublingWaits(limits.baseMs, limits.sourceMaxMs),
      pair: doublingWaits(limits.baseMs, limits.pairMaxMs),
    };
  }

  /** Counts a login of `username` from `source` about to be tried; TooEarlyError while it must wait. */
  async begin(username: string, source: string): Promise<LoginAttempt> {
    const { sourceFree, pairFree, underAttack, forgetMs } = this.#limits;
    const name = username.toLowerCase();
    const keys = {
      source: `login:source:${source}`,
      pair: `login:pair:${source}:${name}`,
      account: `login:account:${name}`,
    };
    const now = this.#now();
    const account = await this.#store.getAttempts(keys.account, now);
    const attacked = (account?.count ?? 0) >= underAttack;
    const rules: AttemptRule[] = [
      { key: keys.source, free: sourceFree, waits: this.#waits.source, forgetMs },
      { key: keys.pair, free: attacked ? 1 : pairFree, waits: this.#waits.pair, forgetMs },
      { key: keys.account, free: 1, waits: [0], forgetMs },
    ];
    const answer = await this.#store.takeAttempt(rules, now);
    if (!answer.ok) throw new TooEarlyError('too many failed logins', answer.retryAt, now);
    return {
      succeeded: async () => {
        const at = this.#now();
        await Promise.all([
          this.#store.refundAttempt(keys.source, at),
          this.#store.refundAttempt(keys.account, at),
          this.#store.clearAttempts(keys.pair),
        ]);
      },
    };
  }
}
