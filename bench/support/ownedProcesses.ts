/**
 * What a run started and must stop, whatever happens: each thing registers how to stop it (`owned`), and
 * `stopAll()` stops them in reverse order, on success, failure or Ctrl-C (`stopOnSignals`). Processes the
 * run only learns of (mediasoup workers, a Redis) are noted by pid (`notePid`); `killLeftovers()` is the last
 * check that none of them outlives the run.
 */
import { readFileSync } from 'node:fs';

export interface Owned {
  /** Stops it now (once) and forgets it. */
  done(): Promise<void>;
}

interface Step {
  name: string;
  run: () => Promise<void>;
}

export class OwnedProcesses {
  readonly #steps: Step[] = [];
  /** By pid: what it was. */
  readonly #pids = new Map<number, string>();
  readonly #log: (line: string) => void;

  constructor(log: (line: string) => void) {
    this.#log = log;
  }

  owned(name: string, run: () => Promise<void>): Owned {
    const step: Step = { name, run };
    this.#steps.push(step);
    return {
      done: async () => {
        const i = this.#steps.indexOf(step);
        if (i < 0) return;
        this.#steps.splice(i, 1);
        await run();
      },
    };
  }

  notePid(pid: number, what: string): void {
    if (!this.#pids.has(pid)) this.#pids.set(pid, what);
  }

  /** Every registered stop, last first; a failing one is logged and the others still run. */
  async stopAll(): Promise<void> {
    while (this.#steps.length > 0) {
      const step = this.#steps.pop()!;
      try {
        await step.run();
      } catch (error) {
        this.#log(`stopping ${step.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /** Noted processes still alive (not zombies): SIGKILLed now; answers what they were. */
  killLeftovers(): string[] {
    const left: string[] = [];
    for (const [pid, what] of this.#pids) {
      const state = processState(pid);
      if (state === undefined || state === 'Z') continue;
      left.push(`${what} (pid ${pid})`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    return left;
  }

  /** Ctrl-C or SIGTERM: stop everything, kill what is left, exit 130. */
  stopOnSignals(): void {
    let stopping = false;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (stopping) return;
        stopping = true;
        this.#log(`${signal}: stopping everything`);
        void this.stopAll().finally(() => {
          this.killLeftovers();
          process.exit(130);
        });
      });
    }
  }
}

/** The kernel's one-letter state of a process (R, S, Z, …); undefined if there is none. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** Running (not gone, not a zombie). */
export const running = (pid: number): boolean => {
  const state = processState(pid);
  return state !== undefined && state !== 'Z';
};
