/**
 * npm run cluster -- --nodes 3 — N CloudSchool nodes on this machine (loopback) sharing one Redis, for
 * development and tests. Node i listens on base-port + i - 1 (HTTP + Socket.IO) with its own media ports;
 * every node shares one data directory (courseware files) and the Redis (everything else).
 *
 *   --nodes N          nodes to start (default 3)
 *   --base-port P      HTTP port of node 1 (default: the first N free consecutive ports from 3001)
 *   --redis-port P     port of the cluster's redis-server (default: the first free port from 6390); started
 *                      here unless --redis-url
 *   --redis-url URL    use a Redis that is already running instead
 *   --workers W        mediasoup workers per node (default 1), each with an ingest worker besides
 *   --data-dir D       data directory (default data/cluster)
 *   --media-port P     first node's WebRTC port: node i uses P + 100·(i-1) + worker (default: for each node the
 *                      first free block from 45000 on, in steps of 100)
 *   --plain-port P     first node's plain/pipe port range start: 1000 ports per node (default: for each node the
 *                      first free block of 1000 from 46000 on)
 *
 * The defaults keep clear of a running `npm start` (WebRTC ports 40000…, plain ports 41000–41999) and of
 * anything else listening: every port is checked free before a node gets it, and a port given explicitly
 * that is in use stops the launcher with a message instead of a node failing half-way.
 *
 * Nodes start one after the other, each once the previous answers /healthz; "cluster ready" is printed
 * when all are up. Ctrl-C (SIGINT/SIGTERM) stops them all, then Redis.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePortRangeFrom, rangeFree } from '@cloudschool/testkit/ports';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Media ports per node: WebRTC servers 100 apart, plain/pipe transports in a range of their own. */
const MEDIA_PORT_STEP = 100;
const PLAIN_PORTS_PER_NODE = 1000;
/** Where the search for free ports starts when a port is not given. */
const DEFAULT_PORTS = { base: 3001, redis: 6390, media: 45_000, plain: 46_000 };

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    'base-port': { type: 'string' },
    'redis-port': { type: 'string' },
    'redis-url': { type: 'string' },
    workers: { type: 'string', default: '1' },
    'data-dir': { type: 'string', default: path.join(ROOT, 'data/cluster') },
    'media-port': { type: 'string' },
    'plain-port': { type: 'string' },
  },
});
const nodes = positive('nodes');
const workers = positive('workers');
const dataDir = path.resolve(values['data-dir']);

const children: ChildProcess[] = [];
let stopping = false;

type NumberOption = 'nodes' | 'base-port' | 'redis-port' | 'workers' | 'media-port' | 'plain-port';

function positive(name: NumberOption): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`--${name} must be a positive integer`);
    process.exit(2);
  }
  return n;
}

/** Runs a child with its output prefixed by its name; the launcher stops everything if it dies. */
function run(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  detached = false,
): ChildProcess {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'pipe', detached });
  const prefix = (chunk: Buffer): string =>
    chunk
      .toString()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => `[${name}] ${line}\n`)
      .join('');
  child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(prefix(chunk)));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[cluster] ${name} exited (${signal ?? code}): stopping the cluster`);
    void stop(1);
  });
  children.push(child);
  return child;
}

function say(line: string): void {
  process.stdout.write(`[cluster] ${line}\n`);
}

async function waitHealthy(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up within ${timeoutMs / 1000} s`);
}

async function waitRedis(port: number): Promise<void> {
  const { createConnection } = await import('node:net');
  for (let i = 0; i < 80; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 125));
  }
  throw new Error(`redis-server did not come up on port ${port}`);
}

async function stop(code: number): Promise<never> {
  stopping = true;
  // Nodes first (they leave the registry), Redis last.
  for (const child of [...children].reverse()) {
    if (child.exitCode !== null) continue;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  process.exit(code);
}

interface NodePorts {
  http: number;
  /** WebRTC servers: one port per worker, the ingest worker's included. */
  media: number;
  plain: { min: number; max: number };
}

/**
 * Every node's ports and Redis's, each checked free: a port given on the command line is taken as given (and
 * refused if in use), a missing one is the first free block from its default. Blocks never overlap.
 */
async function planPorts(startRedis: boolean): Promise<{ redis: number; nodes: NodePorts[] }> {
  const mediaPorts = workers + 1;
  const given = (name: NumberOption): number | undefined =>
    values[name] === undefined ? undefined : positive(name);
  const take = async (what: string, first: number, count: number): Promise<number> => {
    if (!(await rangeFree(first, count))) {
      throw new Error(
        `${what}: port${count > 1 ? `s ${first}–${first + count - 1} are` : ` ${first} is`} in use (leave the option out to pick free ones)`,
      );
    }
    return first;
  };
  const search = (from: number, count: number, step: number): Promise<number> =>
    freePortRangeFrom(from, count, { step });

  const basePort = given('base-port');
  const http =
    basePort === undefined
      ? await search(DEFAULT_PORTS.base, nodes, 1)
      : await take('--base-port', basePort, nodes);
  const redisPort = given('redis-port');
  const redis = !startRedis
    ? 0
    : redisPort === undefined
      ? await search(DEFAULT_PORTS.redis, 1, 1)
      : await take('--redis-port', redisPort, 1);
  const mediaPort = given('media-port');
  const plainPort = given('plain-port');
  const planned: NodePorts[] = [];
  let mediaFrom = DEFAULT_PORTS.media;
  let plainFrom = DEFAULT_PORTS.plain;
  for (let i = 0; i < nodes; i++) {
    const media =
      mediaPort === undefined
        ? await search(mediaFrom, mediaPorts, MEDIA_PORT_STEP)
        : await take(`--media-port, node ${i + 1}`, mediaPort + i * MEDIA_PORT_STEP, mediaPorts);
    const plainMin =
      plainPort === undefined
        ? await search(plainFrom, PLAIN_PORTS_PER_NODE, PLAIN_PORTS_PER_NODE)
        : await take(
            `--plain-port, node ${i + 1}`,
            plainPort + i * PLAIN_PORTS_PER_NODE,
            PLAIN_PORTS_PER_NODE,
          );
    mediaFrom = media + MEDIA_PORT_STEP;
    plainFrom = plainMin + PLAIN_PORTS_PER_NODE;
    planned.push({
      http: http + i,
      media,
      plain: { min: plainMin, max: plainMin + PLAIN_PORTS_PER_NODE - 1 },
    });
  }
  return { redis, nodes: planned };
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  mkdirSync(dataDir, { recursive: true });

  let redisUrl = values['redis-url'];
  const ports = await planPorts(!redisUrl);
  const redisPort = ports.redis;
  if (!redisUrl) {
    const redisDir = path.join(dataDir, 'redis');
    mkdirSync(redisDir, { recursive: true });
    // In a process group of its own: a signal to the launcher's group (Ctrl-C, a test runner) reaches the
    // nodes first, and Redis is stopped after them, so they leave cleanly.
    const redis = run(
      'redis',
      'redis-server',
      [path.join(ROOT, 'infra/redis.conf'), '--port', String(redisPort), '--dir', redisDir],
      {},
      true,
    );
    process.on('exit', () => redis.kill('SIGTERM'));
    await waitRedis(redisPort);
    redisUrl = `redis://127.0.0.1:${redisPort}`;
  }

  // The nodes seal what they say to each other with one secret: the environment's, or one made for this run.
  const clusterSecret = process.env.CLUSTER_SECRET ?? randomBytes(32).toString('hex');
  for (const [index, planned] of ports.nodes.entries()) {
    const i = index + 1;
    const port = planned.http;
    run(`node-${i}`, process.execPath, ['signaling/src/main.ts'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ID: `node-${i}`,
      NODE_URL: `http://127.0.0.1:${port}`,
      REDIS_URL: redisUrl,
      CLUSTER_SECRET: clusterSecret,
      DATA_DIR: dataDir,
      MEDIA_WORKERS: String(workers),
      MEDIA_LISTEN_IP: '127.0.0.1',
      MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1',
      MEDIA_PORT_BASE: String(planned.media),
      MEDIA_PLAIN_PORT_MIN: String(planned.plain.min),
      MEDIA_PLAIN_PORT_MAX: String(planned.plain.max),
    });
    await waitHealthy(`http://127.0.0.1:${port}/healthz`);
    say(
      `node-${i} up on http://127.0.0.1:${port} (WebRTC ${planned.media}–${planned.media + workers}, plain ${planned.plain.min}–${planned.plain.max})`,
    );
  }
  say(`cluster ready: ${nodes} nodes, redis ${redisUrl}`);
}

main().catch((error: unknown) => {
  console.error(`[cluster] ${error instanceof Error ? error.message : String(error)}`);
  void stop(1);
});
