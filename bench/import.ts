/**
 * npm run bench:import — time of one HTTP roster import of 800 classrooms
 * (200 schools) against the real server process, with the embedded store and
 * with Redis. Writes bench/results/import.{md,json}.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { admin, bigRoster, kill9, login, serverEnv, startRedis, startServer } from '@cloudschool/testkit';
import { machine, writeResults } from './support/report.ts';

const RUNS = 5;

async function measure(extra: NodeJS.ProcessEnv): Promise<{ first: number; again: number[] }> {
  const env = await serverEnv(extra);
  await admin(env);
  const server = await startServer(env);
  try {
    const cookie = await login(server.url);
    const csv = bigRoster();
    const post = async (): Promise<number> => {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/roster/import`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'text/csv' },
        body: csv,
      });
      if (res.status !== 200) throw new Error(`import failed: ${res.status} ${await res.text()}`);
      await res.json();
      return performance.now() - t0;
    };
    const first = await post();
    const again: number[] = [];
    for (let i = 1; i < RUNS; i++) again.push(await post());
    return { first, again };
  } finally {
    await kill9(server.child);
  }
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-bench-'));
const redis = await startRedis();
try {
  const sqlite = await measure({ DATA_DIR: dataDir });
  const redisResult = await measure({ REDIS_URL: redis.url });
  const result = {
    benchmark: 'roster import, 800 classrooms / 200 schools, one HTTP request',
    date: new Date().toISOString(),
    command: 'npm run bench:import',
    machine: machine(),
    goal: 'under 5000 ms',
    ms: {
      sqlite: { firstImport: Math.round(sqlite.first), reimports: sqlite.again.map(Math.round) },
      redis: { firstImport: Math.round(redisResult.first), reimports: redisResult.again.map(Math.round) },
    },
  };
  const md = [
    `# Roster import benchmark`,
    '',
    `- ${result.benchmark}; goal ${result.goal}`,
    `- ${result.date}, \`${result.command}\`, ${result.machine.cores} × ${result.machine.cpu}, ${result.machine.memoryGiB} GiB, Node ${result.machine.node}`,
    '',
    '| store | first import (creates 800) | re-imports (update 800) |',
    '|---|---|---|',
    `| embedded (SQLite) | ${result.ms.sqlite.firstImport} ms | ${result.ms.sqlite.reimports.join(', ')} ms |`,
    `| Redis | ${result.ms.redis.firstImport} ms | ${result.ms.redis.reimports.join(', ')} ms |`,
    '',
  ].join('\n');
  writeResults('import', result, md);
} finally {
  await redis.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
