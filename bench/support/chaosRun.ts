/**
 * What every part of `npm run chaos` shares: the run's progress line and the processes it owns (bench/chaos.ts
 * makes them), the warm-up before the first event, and a scenario that failed written as a result.
 */
import { worst } from './chaosPages.ts';
import { GOAL_DARK_MS } from './chaosReport.ts';
import type { ScenarioResult } from './chaosReport.ts';
import type { OwnedProcesses } from './ownedProcesses.ts';

export interface ChaosRun {
  /** A progress line on stderr, stamped with the time since the run started. */
  say: (line: string) => void;
  /** Everything the run started, stopped whatever happens; processes it only learns of noted by pid. */
  processes: OwnedProcesses;
}

/** After the pages joined, before the first event. */
export const WARM_UP_MS = 10_000;

export function failed(
  chaos: ChaosRun,
  key: string,
  title: string,
  how: string,
  goal: string,
  error: unknown,
): ScenarioResult {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  chaos.say(`${title}: failed: ${message}`);
  return {
    key,
    title,
    how,
    at: Date.now(),
    observedMs: 0,
    pages: [],
    facts: [],
    goal,
    figureMs: null,
    figureOpen: false,
    met: null,
    error: message,
  };
}

/** A scenario judged by its classrooms' longest dark period (goal: under GOAL_DARK_MS), observed until `end`. */
export function darkScenario(
  s: Pick<ScenarioResult, 'key' | 'title' | 'how' | 'at' | 'pages' | 'goal' | 'facts'> & { end: number },
): ScenarioResult {
  const { end, ...scenario } = s;
  const w = worst(s.pages);
  return {
    ...scenario,
    observedMs: end - s.at,
    figureMs: w.ms,
    figureOpen: w.open,
    met: w.ms === null ? null : !w.open && w.ms < GOAL_DARK_MS,
  };
}
