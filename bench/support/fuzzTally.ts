/**
 * What the fuzzer counts while it runs: inputs per event or route (and per role), answers by error code
 * or HTTP status, latencies, and findings — each finding with what to send to see it again.
 */
import { errorCodes } from '@cloudschool/protocol';

export interface Finding {
  /** e.g. `unanswered`, `5xx`, `invalid input accepted`, `privilege`, `internal`. */
  kind: string;
  /** The event and role, or the route and caller. */
  where: string;
  detail: string;
  /** The input as sent (cut to 400 characters). */
  input: string;
  /** How to draw it again: `FUZZ_SEED=… stream … index …`. */
  replay: string;
}

/** Kinds of findings that fail the run. */
export const FAILING = new Set([
  'crash',
  'unanswered',
  'double ack',
  'stray ack',
  'malformed answer',
  'unknown code',
  'invalid input accepted',
  'unexpected code',
  'privilege',
  'internal',
  '5xx',
  'no error code',
  'accepted hostile input',
  'no answer',
  'store changed',
  'memory',
  'health',
  'unhandled rejection',
  'server error logged',
  'harness error',
]);

const codeSet = new Set<string>(errorCodes);
export const isErrorCode = (code: unknown): code is string => typeof code === 'string' && codeSet.has(code);

const bump = (m: Map<string, number>, k: string, by = 1): void => void m.set(k, (m.get(k) ?? 0) + by);

function nested(m: Map<string, Map<string, number>>, k: string): Map<string, number> {
  let inner = m.get(k);
  if (!inner) m.set(k, (inner = new Map()));
  return inner;
}

export const excerpt = (value: unknown, max = 400): string => {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else {
    try {
      text = JSON.stringify(value) ?? 'undefined';
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
};

export class Tally {
  /** Inputs by event or route, then by how they were made (shaped, edge, mutated, garbage, raw kinds). */
  readonly inputs = new Map<string, Map<string, number>>();
  /** Inputs by event or route, then by role or caller. */
  readonly byRole = new Map<string, Map<string, number>>();
  /** Answers by event or route, then by code (`ok`, an error code, an HTTP status, `closed`, …). */
  readonly answers = new Map<string, Map<string, number>>();
  readonly findings: Finding[] = [];
  readonly findingCounts = new Map<string, number>();
  /** Every answer's latency (ms), sampled to keep memory small. */
  readonly latencies: number[] = [];
  #answered = 0;
  /** Requests that carried an ack id or were HTTP requests. */
  requests = 0;
  /** Inputs rejected by the schema before being sent (what the server should refuse with bad_request). */
  schemaInvalid = 0;

  input(where: string, cls: string, role: string): void {
    bump(nested(this.inputs, where), cls);
    bump(nested(this.byRole, where), role);
  }

  answer(where: string, code: string, latencyMs?: number): void {
    bump(nested(this.answers, where), code);
    if (latencyMs !== undefined) {
      this.#answered++;
      if (this.latencies.length < 20_000 || this.#answered % 8 === 0) this.latencies.push(latencyMs);
    }
  }

  find(f: Finding): void {
    bump(this.findingCounts, f.kind);
    if (this.findings.filter((x) => x.kind === f.kind).length < 25) this.findings.push(f);
  }

  totalInputs(): number {
    let n = 0;
    for (const m of this.inputs.values()) for (const c of m.values()) n += c;
    return n;
  }

  /** Answers summed over everything, by code. */
  answersByCode(): Record<string, number> {
    const out = new Map<string, number>();
    for (const m of this.answers.values()) for (const [code, n] of m) bump(out, code, n);
    return Object.fromEntries([...out].sort((a, b) => b[1] - a[1]));
  }

  failing(): number {
    let n = 0;
    for (const [kind, count] of this.findingCounts) if (FAILING.has(kind)) n += count;
    return n;
  }
}

export const asRecord = (m: Map<string, Map<string, number>>): Record<string, Record<string, number>> =>
  Object.fromEntries(
    [...m]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, inner]) => [k, Object.fromEntries([...inner].sort((a, b) => b[1] - a[1]))]),
  );
