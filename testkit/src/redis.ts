import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
/** The configuration the project ships (AOF, loopback), the same the tests run on. */
const REDIS_CONF = fileURLToPath(new URL('../../infra/redis.conf', import.meta.url));
const START_TIMEOUT_MS = 10_000;

export interface TestRedis {
  url: string;
  port: number;
  /** The data directory (the AOF files): kept across restart(), removed by stop(). */
  dir: string;
  /** Stops redis-server (SIGKILL if kill9, else a clean SIGTERM shutdown) and starts it again on the same port and dir. */
  restart(opts?: { kill9?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real redis-server of its own, on a free port with a temporary data directory; with `password`, it
 * refuses clients that do not give it (`requirepass`), and `url` carries it.
 */
export async function startRedis(options: { password?: string } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'cloudschool-redis-'));
  const extra = options.password === undefined ? [] : ['--requirepass', options.password];
  let server: ChildProcess | undefined;
  try {
    server = await launch(port, dir, extra);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url:
      options.password === undefined
        ? `redis://127.0.0.1:${port}`
        : `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}`,
    port,
    dir,
    restart: async (opts = {}) => {
      if (server !== undefined) await kill(server, opts.kill9 === true ? 'SIGKILL' : 'SIGTERM');
      server = undefined;
      server = await launch(port, dir, extra);
    },
    stop: async () => {
      if (server !== undefined) await kill(server, 'SIGTERM');
      server = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function launch(port: number, dir: string, extra: string[]): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER, [REDIS_CONF, '--port', String(port), '--dir', dir, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`redis-server exited (${code ?? signal}) while starting:\n${output}`)),
    );
  });
  exited.catch(() => undefined);
  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    for (;;) {
      const answered = await Promise.race([ping(port), exited]);
      if (answered) break;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } catch (error) {
    await kill(child, 'SIGKILL');
    throw error;
  }
  child.removeAllListeners('exit');
  child.removeAllListeners('error');
  return child;
}

/**
 * True once the server answers PING with PONG, or asks for its password (false while it refuses, or is
 * still loading its AOF).
 */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
  });
}

function kill(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
