/**
 * What the Socket.IO fuzz connections (fuzzSocketWorker.ts, fuzzRawWorker.ts) share: the run's settings and
 * state, each connection's spec, the counts about connections for the report, and the pace.
 */
import type { Fixture, FixtureLesson } from './fuzzServer.ts';
import type { Tally } from './fuzzTally.ts';
import type { Phase, Side } from './fuzzSocketEvents.ts';

/** Per connection: under the edge's 20 per second, so inputs reach the handlers instead of `rate_limited`. */
export const INTERVAL_MS = 1000 / 18;

/** Real values the fuzz resolves references to, per lesson, learned while it is set up. */
export interface LessonRefs {
  question: string;
  quiz: string;
  object: string;
}

export interface WorkerSpec {
  side: Side;
  phase: Phase;
  lesson: FixtureLesson;
  /** The other live lessons' ids and classrooms (for references to another lesson). */
  others: FixtureLesson[];
  cookie?: string | undefined;
  /** The classroom this connection is (its index in the lesson), for classrooms. */
  classroom?: number;
  ordinal: number;
  items: number;
}

export interface Shared {
  url: string;
  fixture: Fixture;
  seed: number;
  ackTimeoutMs: number;
  tally: Tally;
  refs: Map<string, LessonRefs>;
  /** Counts about connections, for the report. */
  stats: ConnectionStats;
  log: (line: string) => void;
}

export interface ConnectionStats {
  connections: number;
  reconnects: number;
  connectFailures: number;
  closedBy: Record<string, number>;
  /** Requests whose connection closed before the ack, by why it closed. */
  cut: Record<string, number>;
  late: number;
  oversizeSent: number;
  joinsAccepted: number;
  /** Joined connections that could not join again after a close (they stop sending). */
  gaveUp: string[];
  /** Where the socket connections' time went (ms, summed over connections). */
  timeMs: Record<string, number>;
}

export const newStats = (): ConnectionStats => ({
  connections: 0,
  reconnects: 0,
  connectFailures: 0,
  closedBy: {},
  cut: {},
  late: 0,
  oversizeSent: 0,
  joinsAccepted: 0,
  gaveUp: [],
  timeMs: {},
});

export const bump = (r: Record<string, number>, k: string): void => void (r[k] = (r[k] ?? 0) + 1);
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
