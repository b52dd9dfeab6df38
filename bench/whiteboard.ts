/**
 * npm run bench:whiteboard — latency of the shared whiteboard: the real server process, a live lesson
 * with one host page and 200 classroom pages (Socket.IO clients in this process). The host draws strokes
 * the way a browser sends them: `board:stroke:begin` with the first batch of points, a batch every 30 ms
 * (`board:stroke:points`, relayed volatile), then the whole stroke (`board:stroke:end`, sequenced and
 * stored, pushed as `board:op`). Measured: host send → each classroom's receipt, for live batches and for
 * the sequenced stroke; with the embedded store and with Redis. Writes bench/results/whiteboard.{md,json}.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  admin,
  connectClient,
  kill9,
  liveLessonOverHttp,
  login,
  serverEnv,
  startRedis,
  startServer,
} from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import { ok } from './support/acks.ts';
import { distribution, machine, round, sleep, writeResults } from './support/report.ts';
import type { Distribution } from './support/report.ts';

const CLASSROOMS = Number(process.env.BENCH_CLASSROOMS ?? 200);
const STROKES = Number(process.env.BENCH_STROKES ?? 40);
const BATCHES_PER_STROKE = 20;
const POINTS_PER_BATCH = 5;
const BATCH_INTERVAL_MS = 30;
const PAUSE_BETWEEN_STROKES_MS = 150;
const GOAL_P95_MS = 100;

interface RunResult {
  store: string;
  /** The machine's 1-minute load average before and after the measured strokes (2 cores: above 2 is contention). */
  loadAverage: { before: number; after: number };
  live: Distribution & { expected: number; dropped: number };
  op: Distribution & { expected: number };
  ack: Distribution;
  setupSeconds: number;
}

async function run(store: 'sqlite' | 'redis', extra: NodeJS.ProcessEnv): Promise<RunResult> {
  const t0 = performance.now();
  const env = await serverEnv({ ...extra, LOG_LEVEL: 'warn' });
  await admin(env);
  const server = await startServer(env);
  const sockets: ClientSocket[] = [];
  try {
    const lesson = await liveLessonOverHttp(server.url, await login(server.url), CLASSROOMS);
    const host = await connectClient(server.url, lesson.teacherCookie);
    sockets.push(host);
    await ok(host, 'lesson:join', { lessonId: lesson.lessonId, role: 'host' });
    await ok(host, 'board:sync', {});

    // Send times by batch (its first x coordinate) and by stroke id; receipts in this same process.
    const batchSent = new Map<number, number>();
    const strokeSent = new Map<string, number>();
    const liveMs: number[] = [];
    const opMs: number[] = [];
    const ackMs: number[] = [];
    let measuring = false;
    for (let i = 0; i < lesson.tokens.length; i += 20) {
      const joined = await Promise.all(
        lesson.tokens.slice(i, i + 20).map(async (token) => {
          const s = await connectClient(server.url);
          const received = ({ points }: { points: [number, number, number][] }): void => {
            const sent = points[0] && batchSent.get(points[0][0]);
            if (measuring && sent !== undefined) liveMs.push(performance.now() - sent);
          };
          s.on('board:stroke:begin', received);
          s.on('board:stroke:points', received);
          s.on('board:op', ({ op }) => {
            const sent = op.type === 'stroke' ? strokeSent.get(op.strokeId) : undefined;
            if (measuring && sent !== undefined) opMs.push(performance.now() - sent);
          });
          await ok(s, 'lesson:join', { lessonId: lesson.lessonId, role: 'classroom', token });
          await ok(s, 'board:sync', {});
          return s;
        }),
      );
      sockets.push(...joined);
    }
    const setupSeconds = round((performance.now() - t0) / 1000);
    await sleep(1000); // let the join pushes settle

    let batch = 0;
    const drawStroke = async (n: number): Promise<void> => {
      const strokeId = `${store}-${n}`;
      const stroke = { strokeId, pageId: 'p0', tool: 'pen' as const, color: '#c0392b', width: 3 };
      const points: [number, number, number][] = [];
      for (let b = 0; b < BATCHES_PER_STROKE; b++) {
        batch++;
        // The first x of a batch names it: 10000 + batch number, unique over the run.
        const pts: [number, number, number][] = Array.from({ length: POINTS_PER_BATCH }, (_, i) => [
          i === 0 ? 10_000 + batch : 100 + b * 10 + i,
          200 + n * 5 + i,
          0.5,
        ]);
        points.push(...pts);
        batchSent.set(10_000 + batch, performance.now());
        // Pen down carries the first batch (relayed reliably); the others stream volatile.
        if (b === 0) host.emit('board:stroke:begin', { ...stroke, points: pts });
        else host.emit('board:stroke:points', { strokeId, points: pts });
        await sleep(BATCH_INTERVAL_MS);
      }
      const t = performance.now();
      strokeSent.set(strokeId, t);
      await ok(host, 'board:stroke:end', {
        ...stroke,
        points,
      });
      if (measuring) ackMs.push(performance.now() - t);
    };

    await drawStroke(-1); // warm-up, not measured
    await sleep(500);
    const loadBefore = round(os.loadavg()[0]!);
    measuring = true;
    const firstBatch = batch;
    for (let n = 0; n < STROKES; n++) {
      await drawStroke(n);
      await sleep(PAUSE_BETWEEN_STROKES_MS);
    }
    await sleep(2000);
    measuring = false;
    const expectedLive = (batch - firstBatch) * CLASSROOMS;
    const live = distribution(liveMs);
    return {
      store,
      loadAverage: { before: loadBefore, after: round(os.loadavg()[0]!) },
      live: { ...live, expected: expectedLive, dropped: expectedLive - live.count },
      op: { ...distribution(opMs), expected: STROKES * CLASSROOMS },
      ack: distribution(ackMs),
      setupSeconds,
    };
  } finally {
    for (const s of sockets) s.disconnect();
    await kill9(server.child);
  }
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-bench-board-'));
const redisDir = mkdtempSync(path.join(os.tmpdir(), 'cs-bench-board-redis-'));
const redis = await startRedis();
try {
  const runs = [
    await run('sqlite', { DATA_DIR: dataDir }),
    await run('redis', { REDIS_URL: redis.url, DATA_DIR: redisDir }),
  ];
  const result = {
    benchmark: `whiteboard latency: 1 host page, ${CLASSROOMS} classroom pages, ${STROKES} strokes`,
    date: new Date().toISOString(),
    command: 'npm run bench:whiteboard',
    machine: { ...machine(), note: 'server process and all clients (this process) on the same machine' },
    workload: {
      classrooms: CLASSROOMS,
      strokes: STROKES,
      batchesPerStroke: BATCHES_PER_STROKE,
      pointsPerBatch: POINTS_PER_BATCH,
      batchIntervalMs: BATCH_INTERVAL_MS,
    },
    goal: `p95 < ${GOAL_P95_MS} ms host send → classroom receipt`,
    runs,
  };
  const row = (what: string, s: Distribution, extra: string): string =>
    `| ${what} | ${s.count} | ${s.p50} | ${s.p95} | ${s.p99} | ${s.max} | ${extra} |`;
  const md = [
    '# Whiteboard benchmark',
    '',
    `- ${result.benchmark}; each stroke = ${BATCHES_PER_STROKE} batches of ${POINTS_PER_BATCH} points every ${BATCH_INTERVAL_MS} ms, then the whole stroke as one sequenced operation`,
    `- goal: ${result.goal}`,
    `- ${result.date}, \`${result.command}\`, ${result.machine.cores} × ${result.machine.cpu}, ${result.machine.memoryGiB} GiB, Node ${result.machine.node}; ${result.machine.note}`,
    '',
    ...runs.flatMap((r) => [
      `## ${r.store === 'sqlite' ? 'Embedded store (SQLite)' : 'Redis'}`,
      '',
      '| what | count | p50 ms | p95 ms | p99 ms | max ms | |',
      '|---|---|---|---|---|---|---|',
      row(
        'live batch (first in `board:stroke:begin`, then `board:stroke:points`, volatile) host → classroom',
        r.live,
        `${r.live.expected} relayed expected, ${r.live.dropped} dropped (${round((100 * r.live.dropped) / r.live.expected)} %)`,
      ),
      row('finished stroke (`board:op`, stored) host → classroom', r.op, `${r.op.expected} expected`),
      row('`board:stroke:end` ack at the host', r.ack, ''),
      '',
      `p95 goal met: live ${r.live.p95 < GOAL_P95_MS ? 'yes' : 'NO'}, sequenced ${r.op.p95 < GOAL_P95_MS ? 'yes' : 'NO'}. Setup (roster, lesson, ${CLASSROOMS} joins): ${r.setupSeconds} s. Machine load average (1 min) ${r.loadAverage.before} → ${r.loadAverage.after} on ${os.cpus().length} cores.`,
      '',
    ]),
  ].join('\n');
  writeResults('whiteboard', result, md);
} finally {
  await redis.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(redisDir, { recursive: true, force: true });
}
