/**
 * npm run fuzz [-- --inputs N] [-- --redis] — the edge under hostile input, as a regression suite: at least
 * 100,000 malformed and hostile inputs derived from the protocol's zod schemas (fast-check), sent to every
 * Socket.IO event by every kind of connection (not logged in, the host teacher, a classroom with a valid
 * token, a coordinator as observer, a forged token), before and after joining, as raw frames, and to every
 * HTTP route by every kind of caller, against the real server process with the embedded store (and with
 * Redis too, with --redis). It checks that the process stays up and answers /healthz, that every request
 * with an ack is answered exactly once with a code from errorCodes, that HTTP answers stay under 500, that
 * memory returns near its plateau, and that the store is unchanged. Seeded: FUZZ_SEED=<n> sends the same
 * inputs again. Writes bench/results/fuzz.{md,json}; exits 1 if anything failed.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startRedis } from '@cloudschool/testkit';
import type { TestRedis } from '@cloudschool/testkit';
import { httpCampaign } from './support/fuzzHttpCampaign.ts';
import { drawHttpRequest } from './support/fuzzHttpDraw.ts';
import { rawHttpCampaign } from './support/fuzzHttpRaw.ts';
import { markdown, storeRun } from './support/fuzzReport.ts';
import type { StoreRun } from './support/fuzzReport.ts';
import { ServerWatch, setUpFixture, snapshot, startFuzzServer } from './support/fuzzServer.ts';
import type { FuzzServer } from './support/fuzzServer.ts';
import { RawWorker } from './support/fuzzRawWorker.ts';
import { drawSocketInput, fuzzEvents, prepareInputs } from './support/fuzzSocketEvents.ts';
import type { Side } from './support/fuzzSocketEvents.ts';
import { newStats } from './support/fuzzSocketShared.ts';
import type { Shared, WorkerSpec } from './support/fuzzSocketShared.ts';
import { SocketWorker } from './support/fuzzSocketWorker.ts';
import { Tally } from './support/fuzzTally.ts';
import { OwnedProcesses } from './support/ownedProcesses.ts';
import { machine, sleep, writeResults } from './support/report.ts';

const { values: args } = parseArgs({
  options: {
    inputs: { type: 'string', default: '100000' },
    redis: { type: 'boolean', default: false },
    lessons: { type: 'string', default: '4' },
    show: { type: 'string' },
  },
});
const INPUTS = Number(args.inputs);
const LESSONS = Number(args.lessons);
if (!Number.isInteger(INPUTS) || INPUTS < 100) throw new Error('--inputs: a whole number, at least 100');
if (!Number.isInteger(LESSONS) || LESSONS < 2) throw new Error('--lessons: at least 2');
const SEED =
  process.env.FUZZ_SEED !== undefined
    ? Number(process.env.FUZZ_SEED) | 0
    : Math.floor(Math.random() * 2 ** 31);
const ACK_TIMEOUT_MS = Number(process.env.FUZZ_ACK_TIMEOUT_MS ?? 10_000);
/** What a run's inputs go to: Socket.IO events, raw frames, HTTP routes, raw bytes to the HTTP port. */
const SHARE = { socket: 0.71, raw: 0.03, http: 0.25, rawHttp: 0.01 };
/** RSS after the run may exceed the plateau by this much (MiB, or a quarter of it) and still count as back. */
const RSS_SLACK_MIB = 64;
const SETTLE_MS = 15_000;

const log = (line: string): void => void process.stdout.write(`${line}\n`);

// --show "<what a finding's replay says>": print that one input and stop.
if (args.show !== undefined) {
  const spec = args.show.replace(/^FUZZ_SEED=\S+\s+/, '');
  const http = /^http (\S+ \S+) #(\d+)$/.exec(spec);
  const socket = /^(\S+)#(\d+) (.+) #(\d+)$/.exec(spec);
  const shown = http
    ? drawHttpRequest(http[1]!, SEED, Number(http[2]))
    : socket
      ? drawSocketInput(SEED, socket[1]!, Number(socket[2]), socket[3]!, Number(socket[4]))
      : undefined;
  if (shown === undefined)
    throw new Error('--show: "<target>#<n> <event> #<index>" or "http <METHOD> <path> #<index>"');
  process.stdout.write(
    `${JSON.stringify(shown, (_k, v: unknown) => (typeof v === 'string' && v.startsWith('\u0000ref:') ? `«${v.slice(5)}»` : v), 2)}\n`,
  );
  process.exit(0);
}
const owned = new OwnedProcesses(log);
owned.stopOnSignals();

const command = `npm run fuzz${INPUTS !== 100_000 ? ` -- --inputs ${INPUTS}` : ''}${args.redis ? `${INPUTS !== 100_000 ? '' : ' --'} --redis` : ''}`;
const date = new Date().toISOString();
const host = machine();

async function fuzzOne(store: StoreRun['store'], redis: TestRedis | undefined): Promise<StoreRun> {
  const t0 = performance.now();
  log(`\n== ${store}: starting the server (seed ${SEED}, ${INPUTS} inputs)`);
  const server: FuzzServer = await startFuzzServer(redis ? { redisUrl: redis.url } : {});
  const stopServer = owned.owned(`server (${store})`, () => server.stop());
  owned.notePid(server.pid, 'server');
  const watch = new ServerWatch(server.url, server.pid);
  const tally = new Tally();
  const stats = newStats();
  try {
    const fixture = await setUpFixture(server.url, LESSONS);
    const shared: Shared = {
      url: server.url,
      fixture,
      seed: SEED,
      ackTimeoutMs: ACK_TIMEOUT_MS,
      tally,
      refs: new Map(),
      stats,
      log,
    };
    const counts = {
      socket: Math.round(INPUTS * SHARE.socket),
      raw: Math.round(INPUTS * SHARE.raw),
      http: Math.round(INPUTS * SHARE.http),
      rawHttp: 0,
    };
    counts.rawHttp = INPUTS - counts.socket - counts.raw - counts.http;

    // Every side and phase, per lesson; the joined ones join now (set-up, before the snapshot).
    const specs: Omit<WorkerSpec, 'items'>[] = [];
    const ordinals = new Map<string, number>();
    const add = (
      side: Side,
      phase: WorkerSpec['phase'],
      lessonIndex: number,
      extra: Partial<WorkerSpec> = {},
    ): void => {
      const lesson = fixture.lessons[lessonIndex]!;
      const key = `${side}:${phase}`;
      const ordinal = ordinals.get(key) ?? 0;
      ordinals.set(key, ordinal + 1);
      const cookie =
        side === 'host'
          ? fixture.teachers[lesson.teacher]!.cookie
          : side === 'observer'
            ? fixture.coordinatorCookie
            : undefined;
      specs.push({
        side,
        phase,
        lesson,
        others: fixture.lessons.filter((l) => l !== lesson),
        cookie,
        ordinal,
        ...extra,
      });
    };
    for (let i = 0; i < LESSONS; i++) {
      add('host', 'after', i);
      add('classroom', 'after', i, { classroom: 0 });
      add('classroom', 'after', i, { classroom: 1 });
      add('observer', 'after', i);
      add('anonymous', 'before', i);
      add('host', 'before', i);
      add('classroom', 'before', i, { classroom: 2 });
      add('observer', 'before', i);
      add('forged', 'before', i);
    }
    const per = Math.floor(counts.socket / specs.length);
    const workers = specs.map(
      (s, i) =>
        new SocketWorker({ ...s, items: per + (i < counts.socket - per * specs.length ? 1 : 0) }, shared),
    );
    const rawWorkers: RawWorker[] = [];
    // One joined classroom (its lesson's fourth) and three connections that have not joined, per lesson.
    const rawCount = 4 * LESSONS;
    for (let i = 0; i < rawCount; i++) {
      const lesson = fixture.lessons[i % LESSONS]!;
      const items = Math.floor(counts.raw / rawCount) + (i < counts.raw % rawCount ? 1 : 0);
      rawWorkers.push(
        new RawWorker(shared, {
          items,
          ordinal: i,
          ...(i < LESSONS ? { join: { lessonId: lesson.id, token: lesson.tokens[3]! } } : {}),
        }),
      );
    }
    log(
      `set-up: ${LESSONS} live lessons; ${workers.length} socket connections, ${rawWorkers.length} raw ones; joining`,
    );
    for (const w of workers) await w.start();
    for (const [i, lesson] of fixture.lessons.entries()) {
      const host = workers.find(
        (w) => w.spec.side === 'host' && w.spec.phase === 'after' && w.spec.lesson === lesson,
      )!;
      const classroom = workers.find(
        (w) => w.spec.side === 'classroom' && w.spec.phase === 'after' && w.spec.lesson === lesson,
      )!;
      const question = await classroom.setUp('question:ask', { text: `为什么天是蓝的？${i}` });
      const quiz = await host.setUp('quiz:start', { question: '1+1=?', kind: 'single', options: ['1', '2'] });
      const op = await host.setUp('board:op', {
        op: {
          type: 'shape',
          pageId: 'p0',
          shape: 'rect',
          from: [0, 0],
          to: [100, 100],
          color: '#336699',
          width: 2,
          fill: null,
        },
      });
      shared.refs.set(lesson.id, {
        question: String(question.id),
        quiz: String(quiz.quizId),
        object: `o${String(op.seq)}`,
      });
    }
    prepareInputs();
    const before = await snapshot(server.url, fixture);
    const setupSeconds = Math.round((performance.now() - t0) / 1000);

    log(
      `hostile run: ${counts.socket} socket inputs, ${counts.raw} raw frames, ${counts.http} HTTP requests, ${counts.rawHttp} raw HTTP`,
    );
    watch.hostileStarted();
    const h0 = performance.now();
    // The harness's own event loop: a connection that cannot answer the server's pings in time is closed.
    const lag = monitorEventLoopDelay({ resolution: 20 });
    lag.enable();
    const progress = setInterval(() => {
      const kinds = [...tally.findingCounts].map(([k, n]) => `${k} ${n}`).join(', ');
      const seconds = Math.round((performance.now() - h0) / 1000);
      const harness = `harness heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB, loop lag max ${Math.round(lag.max / 1e6)} ms`;
      log(
        `  ${seconds} s: ${tally.totalInputs()} inputs, server RSS ${watch.rssNow()} MiB, ${harness}, findings: ${kinds || 'none'}`,
      );
      lag.reset();
    }, 15_000);
    let routes: Awaited<ReturnType<typeof httpCampaign>> | undefined;
    const durations: Record<string, number> = {};
    try {
      const timed = async (what: string, run: Promise<unknown>): Promise<void> => {
        await run;
        const s = Math.round((performance.now() - h0) / 1000);
        durations[what] = s;
        log(`  ${what} done after ${s} s`);
      };
      await Promise.all([
        timed('socket', Promise.all(workers.map((w) => w.run()))),
        timed('raw frames', Promise.all(rawWorkers.map((w) => w.run()))),
        timed(
          'HTTP',
          httpCampaign({
            url: server.url,
            fixture,
            seed: SEED,
            count: counts.http,
            concurrency: 12,
            timeoutMs: 30_000,
            tally,
          }).then((r) => {
            routes = r;
          }),
        ),
        timed('raw HTTP', rawHttpCampaign({ url: server.url, count: counts.rawHttp, tally, seed: SEED })),
      ]);
    } finally {
      clearInterval(progress);
    }
    watch.hostileEnded();
    const hostileSeconds = Math.round((performance.now() - h0) / 1000);
    for (const w of workers) await w.stop();
    log(`hostile run done in ${hostileSeconds} s; ${SETTLE_MS / 1000} s without input, then the store again`);
    await sleep(SETTLE_MS);
    const after = await snapshot(server.url, fixture);
    const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
    const report = await watch.stop();
    const exited = server.exitCode();
    if (exited !== null)
      tally.find({
        kind: 'crash',
        where: 'server',
        detail: `exited: ${exited}; stderr: ${server.stderrTail().slice(-400)}`,
        input: '',
        replay: '',
      });
    if (changed.length > 0)
      tally.find({
        kind: 'store changed',
        where: changed.join(', '),
        detail: changed
          .map((k) => `${k}: ${before[k]!.slice(0, 150)} → ${after[k]!.slice(0, 150)}`)
          .join(' ; '),
        input: '',
        replay: '',
      });
    if (report.health.failed > 0)
      tally.find({
        kind: 'health',
        where: '/healthz',
        detail: `${report.health.failed} of ${report.health.polls} polls failed (first: ${report.health.firstFailure})`,
        input: '',
        replay: '',
      });
    const rejections = (report.unhandledRejections.last ?? 0) - (report.unhandledRejections.first ?? 0);
    if (rejections > 0)
      tally.find({
        kind: 'unhandled rejection',
        where: 'server',
        detail: `${rejections} during the run (healthz)`,
        input: '',
        replay: '',
      });
    const { plateauMiB, endMiB } = report.rss;
    const memoryBounded = endMiB <= plateauMiB + Math.max(RSS_SLACK_MIB, plateauMiB / 4);
    if (!memoryBounded)
      tally.find({
        kind: 'memory',
        where: 'server RSS',
        detail: `end ${endMiB} MiB vs plateau ${plateauMiB} MiB`,
        input: '',
        replay: '',
      });
    const logLines = server.logSummary();
    for (const l of logLines.filter((x) => x.level !== 'warn'))
      tally.find({
        kind: 'server error logged',
        where: 'server log',
        detail: `${l.level} ×${l.count}: ${l.msg}`,
        input: l.example,
        replay: '',
      });
    return storeRun({
      store,
      tally,
      socketEvents: fuzzEvents,
      inputs: { ...counts, total: tally.totalInputs() },
      seconds: {
        parts: durations,
        setup: setupSeconds,
        hostile: hostileSeconds,
        total: Math.round((performance.now() - t0) / 1000),
      },
      serverExited: exited === null ? null : String(exited),
      watch: report,
      storeChanged: changed,
      storeParts: Object.keys(before),
      memoryBounded,
      connections: stats,
      routes: {
        total: routes?.routes.length ?? 0,
        withBodySchema: routes?.withBodySchema ?? [],
        withQuerySchema: routes?.withQuerySchema ?? [],
      },
      log: logLines,
    });
  } finally {
    await stopServer.done();
  }
}

const runs: StoreRun[] = [];
let redis: TestRedis | undefined;
try {
  runs.push(await fuzzOne('embedded (SQLite)', undefined));
  if (args.redis) {
    redis = await startRedis();
    owned.owned('redis', () => redis!.stop());
    runs.push(await fuzzOne('Redis', redis));
  }
} finally {
  await owned.stopAll();
  owned.killLeftovers();
}

const result = {
  benchmark: 'fuzz: hostile inputs against the Socket.IO edge and the HTTP API',
  date,
  command,
  machine: host,
  seed: SEED,
  inputsPerStore: INPUTS,
  ackTimeoutMs: ACK_TIMEOUT_MS,
  lessons: LESSONS,
  runs,
};
writeResults(
  'fuzz',
  result,
  markdown({
    date,
    command,
    machine: host,
    seed: SEED,
    requestedInputs: INPUTS,
    ackTimeoutMs: ACK_TIMEOUT_MS,
    lessons: LESSONS,
    runs,
  }),
);
const failing = runs.reduce((s, r) => s + r.failing, 0);
log(
  failing === 0
    ? `\nfuzz: no failing findings (seed ${SEED})`
    : `\nfuzz: ${failing} failing findings (seed ${SEED}): see bench/results/fuzz.md`,
);
process.exit(failing === 0 ? 0 : 1);
