/** What every media benchmark's result says about itself: machine, date, commit, command; and small maths. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '@cloudschool/testkit';
import type { HostPage } from './hostPage.ts';
import type { LogLine } from './lessonServer.ts';

export interface Machine {
  cpu: string | undefined;
  cores: number;
  memoryGiB: number;
  node: string;
  chromium?: string;
  /** 1-minute load average when the run started: it counts this machine's recent past, a previous run included. */
  loadAverageAtStart: number;
}

/** This machine as a result records it; `chromium` for the benchmarks that drive a browser. */
export function machine(chromiumVersion?: string): Machine {
  return {
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    ...(chromiumVersion === undefined ? {} : { chromium: chromiumVersion }),
    loadAverageAtStart: round(os.loadavg()[0]!, 2),
  };
}

/**
 * The commit measured, marked when the code under test had uncommitted changes (the benchmarks and their
 * npm scripts do not count: they measure, they are not measured).
 */
export function gitCommit(): string {
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  const dirty = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench', ':!package.json');
  return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes' : ''}`;
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export interface Distribution {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function distribution(samples: number[], digits = 1): Distribution {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number =>
    round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN, digits);
  return {
    count: sorted.length,
    mean: round(sorted.reduce((s, x) => s + x, 0) / sorted.length, digits),
    min: round(sorted[0] ?? NaN, digits),
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: round(sorted.at(-1) ?? NaN, digits),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Writes bench/results/<name>.json and .md and prints the markdown. */
export function writeResults(name: string, json: unknown, markdown: string): void {
  writeFileSync(path.join(ROOT, `bench/results/${name}.json`), JSON.stringify(json, null, 2) + '\n');
  writeFileSync(path.join(ROOT, `bench/results/${name}.md`), markdown);
  process.stdout.write(markdown);
}

/** The server's warnings and errors during the run, most frequent first, as a markdown section. */
export function logSection(lines: LogLine[]): string[] {
  if (lines.length === 0) return ['## Server log', '', 'No warnings or errors.', ''];
  return [
    '## Server log: warnings and errors',
    '',
    '| level | message | times |',
    '|---|---|---|',
    ...lines.slice(0, 10).map((l) => `| ${l.level} | ${l.msg.replaceAll('|', '\\|')} | ${l.count} |`),
    '',
  ];
}

/** What the host teacher's page said on its console during the run. */
export function hostProblemsLine(problems: HostPage['problems']): string {
  return `Host page console errors and warnings: ${problems.count}${problems.first[0] ? ` (first: ${problems.first[0]})` : ''}.`;
}

/** The server's mediasoup workers as a sentence. */
export function workers(p: { mediaWorkers: number; ingestWorker: boolean }): string {
  const forwarding = `${p.mediaWorkers} forwarding mediasoup worker${p.mediaWorkers === 1 ? '' : 's'}`;
  return p.ingestWorker
    ? `${forwarding} + 1 ingest worker receiving the host`
    : `${forwarding}, no ingest worker`;
}
