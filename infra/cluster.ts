/**
 * npm run cluster -- --nodes 3 — N CloudSchool nodes on this machine (loopback) sharing one Redis, for
 * development and tests. Node i listens on base-port + i - 1 (HTTP + Socket.IO) with its own media ports;
 * every node shares one data directory (courseware files) and the Redis (everything else).
 *
 *   --nodes N          nodes to start (default 3)
 *   --base-port P      HTTP port of node 1 (default 3001)
 *   --redis-port P     port of the cluster's redis-server (default 6390); started here unless --redis-url
 *   --redis-url URL    use a Redis that is already running instead
 *   --workers W        mediasoup workers per node (default 1)
 *   --data-dir D       data directory (default data/cluster)
 *   --media-port P     first node's WebRTC port (default 40000; node i uses P + 100·(i-1) + worker)
 *   --plain-port P     first node's plain/pipe port range start (default 41000; 1000 ports per node)
 *
 * Nodes start one after the other, each once the previous answers /healthz; "cluster ready" is printed
 * when all are up. Ctrl-C (SIGINT/SIGTERM) stops them all, then Redis.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Media ports per node: WebRTC servers 100 apart, plain/pipe transports in a range of their own. */
const MEDIA_PORT_STEP = 100;
const PLAIN_PORTS_PER_NODE = 1000;

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    'base-port': { type: 'string', default: '3001' },
    'redis-port': { type: 'string', default: '6390' },
    'redis-url': { type: 'string' },
    workers: { type: 'string', default: '1' },
    'data-dir': { type: 'string', default: path.join(ROOT, 'data/cluster') },
    'media-port': { type: 'string', default: '40000' },
    'plain-port': { type: 'string', default: '41000' },
  },
});
const nodes = positive('nodes');
const basePort = positive('base-port');
const redisPort = positive('redis-port');
const workers = positive('workers');
const mediaPort = positive('media-port');
const plainPort = positive('plain-port');
const dataDir = path.resolve(values['data-dir']);

const children: ChildProcess[] = [];
let stopping = false;

function positive(
  name: 'nodes' | 'base-port' | 'redis-port' | 'workers' | 'media-port' | 'plain-port',
): number {
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

async function main(): Promise<void> {
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  mkdirSync(dataDir, { recursive: true });

  let redisUrl = values['redis-url'];
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

  for (let i = 1; i <= nodes; i++) {
    const port = basePort + i - 1;
    const plainMin = plainPort + (i - 1) * PLAIN_PORTS_PER_NODE;
    run(`node-${i}`, process.execPath, ['signaling/src/main.ts'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ID: `node-${i}`,
      NODE_URL: `http://127.0.0.1:${port}`,
      REDIS_URL: redisUrl,
      DATA_DIR: dataDir,
      MEDIA_WORKERS: String(workers),
      MEDIA_LISTEN_IP: '127.0.0.1',
      MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1',
      MEDIA_PORT_BASE: String(mediaPort + (i - 1) * MEDIA_PORT_STEP),
      MEDIA_PLAIN_PORT_MIN: String(plainMin),
      MEDIA_PLAIN_PORT_MAX: String(plainMin + PLAIN_PORTS_PER_NODE - 1),
    });
    await waitHealthy(`http://127.0.0.1:${port}/healthz`);
    say(`node-${i} up on http://127.0.0.1:${port}`);
  }
  say(`cluster ready: ${nodes} nodes, redis ${redisUrl}`);
}

main().catch((error: unknown) => {
  console.error(`[cluster] ${error instanceof Error ? error.message : String(error)}`);
  void stop(1);
});
