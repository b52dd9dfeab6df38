/**
 * "Ready before 8:00": a classroom page checks itself in the waiting room (camera picture, microphone level,
 * speaker, network, sound) and reports what each check found (`readiness:report`). The server keeps the
 * report on the classroom's page and shows the host side, the patrol and the wall one readiness per
 * classroom. Both ends judge a report with the same pure rule (`judgeReadiness`), so the classroom's own
 * screen and the coordinator's say the same thing.
 */
import { z } from 'zod';

/**
 * What each check can find: `ok`, `pending` (still measuring), or why it failed, in codes the pages turn into
 * a tutor's words (never the server's). Every list is short and closed: a report is a few bytes.
 */
export const readinessResults = {
  /** A track, and frames that are neither all black nor all the same. */
  camera: ['ok', 'pending', 'not_found', 'denied', 'busy', 'black', 'frozen', 'error'],
  /** A track, not muted, a level above a floor over a second or two. */
  microphone: ['ok', 'pending', 'not_found', 'denied', 'busy', 'muted', 'silent', 'error'],
  /**
   * A short tone played, then listened for through the microphone. `not_heard`: it did not come back
   * (speakers off, or a microphone that cancels it); `untested`: there was no microphone or sound to test
   * with. Both are warnings: a headset or a quiet room is no reason to hold a lesson back.
   */
  speaker: ['ok', 'pending', 'not_heard', 'untested'],
  /** The round trip to the server and the browser's estimate of the downlink. */
  network: ['ok', 'pending', 'slow'],
  /** Whether the page may play sound without a click (autoplay). */
  sound: ['ok', 'pending', 'blocked'],
} as const;

export type ReadinessCheck = keyof typeof readinessResults;
export const readinessChecks = Object.keys(readinessResults) as ReadinessCheck[];

/** What one check found. */
export type ReadinessResult<C extends ReadinessCheck = ReadinessCheck> = (typeof readinessResults)[C][number];

/** What every check found: what a page reports. */
export type ReadinessResults = { [C in ReadinessCheck]: ReadinessResult<C> };

/** A check that did not pass, and why. */
export type ReadinessFailure = {
  [C in ReadinessCheck]: { check: C; reason: Exclude<ReadinessResult<C>, 'ok' | 'pending'> };
}[ReadinessCheck];

export type ReadinessState = 'ready' | 'not_ready' | 'checking';

/** A classroom's readiness as the host side, the patrol and the wall see it. */
export interface ClassroomReadiness {
  /** `checking`: connected, and some check has not reported yet. */
  state: ReadinessState;
  /** What holds the classroom back (not ready while there is one). */
  failures: ReadinessFailure[];
  /** What the tutor should know but does not hold it back: the speaker not heard. */
  warnings: ReadinessFailure[];
}

/** Results that are only warnings: the rest of the checks decide. */
const WARNINGS: ReadonlySet<string> = new Set(['speaker:not_heard', 'speaker:untested']);

/** Before a page has reported anything. */
export const readinessPending: ReadinessResults = {
  camera: 'pending',
  microphone: 'pending',
  speaker: 'pending',
  network: 'pending',
  sound: 'pending',
};

/**
 * From what the checks found to one state: not ready as soon as a check failed (even while others still
 * measure: the tutor can start fixing it), checking while any is pending, ready otherwise. Failures and
 * warnings come in the order of `readinessChecks`.
 */
export function judgeReadiness(results: ReadinessResults): ClassroomReadiness {
  const failures: ReadinessFailure[] = [];
  const warnings: ReadinessFailure[] = [];
  let pending = false;
  for (const check of readinessChecks) {
    const result = results[check];
    if (result === 'pending') pending = true;
    else if (result !== 'ok') {
      const failure = { check, reason: result } as ReadinessFailure;
      (WARNINGS.has(`${check}:${result}`) ? warnings : failures).push(failure);
    }
  }
  const state: ReadinessState = failures.length > 0 ? 'not_ready' : pending ? 'checking' : 'ready';
  return { state, failures, warnings };
}

/** At most one report per page this often (a full check sends two: when it starts and when it ends). */
export const READINESS_REPORT_MIN_MS = 1000;

export const readinessReport = z.strictObject({
  camera: z.enum(readinessResults.camera),
  microphone: z.enum(readinessResults.microphone),
  speaker: z.enum(readinessResults.speaker),
  network: z.enum(readinessResults.network),
  sound: z.enum(readinessResults.sound),
});

export const readinessSchemas = {
  /** A classroom's page: what its checks found (for itself only: the server uses the page's identity). */
  'readiness:report': readinessReport,
} as const;
