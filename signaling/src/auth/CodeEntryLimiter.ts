import type { Logger } from '../logger.ts';
import type { LimitStore } from '../store/Store.ts';
import { doublingWaits, TooEarlyError } from './limits.ts';

/** How classroom-code entry is limited (README.md in this folder has the arithmetic). */
export interface CodeEntryLimits {
  /** Wrong codes in a row from one source before it waits (a school's NAT full of classrooms). */
  sourceFree: number;
  /** The first wait after those; each later wrong code doubles it, up to maxMs. */
  baseMs: number;
  maxMs: number;
  /** A source's count is forgotten this long after its last wrong code. */
  forgetMs: number;
  /** Wrong codes from everywhere together per clock hour; past it, code entry waits for the next hour. */
  globalPerHour: number;
}

export const CODE_ENTRY_LIMITS: CodeEntryLimits = {
  sourceFree: 50,
  baseMs: 1000,
  maxMs: 60_000,
  forgetMs: 3600_000,
  globalPerHour: 500,
};

const HOUR_MS = 3600_000;

/** A code being tried, counted as wrong until it says it was right. */
export interface CodeAttempt {
  succeeded(): Promise<void>;
}

/**
 * Wrong classroom codes (POST /api/join/code) limited per source, with doubling waits, and in a global
 * budget per clock hour, in the store (shared by every node). Like logins, an attempt is counted before
 * the code is looked up, atomically with the check, and given back when the code was right, so typos
 * are what counts, and a school whose classrooms type their codes right is never slowed by them.
 */
export class CodeEntryLimiter {
  readonly #store: LimitStore;
  readonly #limits: CodeEntryLimits;
  readonly #log: Logger | undefined;
  readonly #now: () => number;
  readonly #waits: number[];

  constructor(
    store: LimitStore,
    options: { limits?: CodeEntryLimits; log?: Logger; now?: () => number } = {},
  ) {
    this.#store = store;
    this.#limits = options.limits ?? CODE_ENTRY_LIMITS;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#waits = doublingWaits(this.#limits.baseMs, this.#limits.maxMs);
  }

  async begin(source: string): Promise<CodeAttempt> {
    const { sourceFree, forgetMs, globalPerHour } = this.#limits;
    const now = this.#now();
    const hour = Math.floor(now / HOUR_MS);
    const untilNextHour = (hour + 1) * HOUR_MS - now;
    const keys = { source: `code:source:${source}`, global: `code:global:${hour}` };
    const answer = await this.#store.takeAttempt(
      [
        { key: keys.source, free: sourceFree, waits: this.#waits, forgetMs },
        // The budget's last attempt closes code entry until the hour is over.
        { key: keys.global, free: globalPerHour, waits: [untilNextHour], forgetMs: untilNextHour },
      ],
      now,
    );
    if (!answer.ok) throw new TooEarlyError('too many wrong codes', answer.retryAt, now);
    if (answer.counts[1] === globalPerHour) {
      this.#log?.warn(
        { globalPerHour },
        'classroom code entry closed until the next hour: too many wrong codes',
      );
    }
    return {
      succeeded: async () => {
        const at = this.#now();
        await Promise.all([
          this.#store.refundAttempt(keys.source, at),
          this.#store.refundAttempt(keys.global, at),
        ]);
      },
    };
  }
}
