/**
 * A real coturn of its own for tests: the districts' launcher and configuration (`infra/turn.sh` on
 * `infra/turnserver.conf`), moved to loopback — a free port, no TLS, relaying from and to 127.0.0.1 only.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';

/** coturn's binary (Debian's package `coturn`, installed by infra/setup.sh). */
const TURNSERVER = process.env.TURNSERVER_BIN ?? '/usr/bin/turnserver';
/** What districts run: it completes the shipped configuration with the secret and the allowed peers. */
const TURN_SH = fileURLToPath(new URL('../../infra/turn.sh', import.meta.url));
const START_TIMEOUT_MS = 10_000;
/** Kept of coturn's output (verbose: a few lines per allocation event). */
const LOG_LIMIT = 1_000_000;

export interface TurnOptions {
  /** coturn's `static-auth-secret`: the server's TURN_SECRET (16 characters or more). */
  secret: string;
  /** Its UDP and TCP port on 127.0.0.1; a free one if not given. */
  port?: number;
}

export interface TestTurn {
  port: number;
  /** For TURN_URLS: `turn:127.0.0.1:<port>?transport=udp` and `…=tcp`. */
  urls: { udp: string; tcp: string };
  /** Everything coturn has logged so far (verbose: `session …: new, realm=<…>, username=<…>`, 401s, 403s). */
  log(): string;
  /** Usernames of the allocations coturn accepted so far (`<expiry>:<peer id>`, as signaling hands them out). */
  allocations(): string[];
  /** Stops coturn (SIGTERM) and removes its temporary directory (configuration, pid file, database). */
  stop(): Promise<void>;
}

/**
 * coturn on 127.0.0.1, a port of its own (UDP and TCP), the shared-secret scheme with `secret`; relays to
 * loopback peers only (which the shipped configuration refuses: loopback and every address but the media
 * servers'). Resolves once it answers a STUN Binding request over UDP and accepts a TCP connection.
 */
export async function startTurn(options: TurnOptions): Promise<TestTurn> {
  const port = options.port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), 'cloudschool-turn-'));
  let output = '';
  let child: ChildProcess | undefined;
  try {
    child = spawn(
      'bash',
      [
        TURN_SH,
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${port}`,
        // TLS on 443 is for districts (it needs a certificate and a privileged port).
        '--no-tls',
        // Browser → coturn → the test server's media ports, all on loopback (TURN_ALLOWED_PEERS below).
        '--allow-loopback-peers',
        // Debian's default database (/var/lib/turn/turndb) is coturn's user's; this one is ours, and empty.
        `--userdb=${join(dir, 'turndb')}`,
      ],
      {
        env: {
          ...process.env,
          TURN_SECRET: options.secret,
          TURN_ALLOWED_PEERS: '127.0.0.1',
          TURN_RUN_DIR: dir,
          TURNSERVER_BIN: TURNSERVER,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-LOG_LIMIT);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    await waitUntilAccepting(child, port, () => output);
  } catch (error) {
    if (child !== undefined) await kill(child, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const running = child;
  let stopped: Promise<void> | undefined;
  return {
    port,
    urls: {
      udp: `turn:127.0.0.1:${port}?transport=udp`,
      tcp: `turn:127.0.0.1:${port}?transport=tcp`,
    },
    log: () => output,
    allocations: () =>
      [...output.matchAll(/session \d+: new, realm=<[^>]*>, username=<([^>]*)>/g)].map((m) => m[1]!),
    stop: () =>
      (stopped ??= (async () => {
        await kill(running, 'SIGTERM');
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}

async function waitUntilAccepting(child: ChildProcess, port: number, output: () => string): Promise<void> {
  const exited = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`turnserver exited (${code ?? signal}) while starting:\n${output().slice(-4000)}`)),
    );
  });
  exited.catch(() => undefined);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const ready = await Promise.race([
      (async () => (await stunBinding(port)) && (await tcpAccepts(port)))(),
      exited,
    ]);
    if (ready) break;
    if (Date.now() > deadline)
      throw new Error(`turnserver did not answer on 127.0.0.1:${port}:\n${output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.removeAllListeners('exit');
  child.removeAllListeners('error');
}

/** STUN's magic cookie (RFC 5389), in every message's header. */
const MAGIC_COOKIE = 0x2112a442;

/** True once a STUN Binding request over UDP gets a Binding success response with its transaction id. */
function stunBinding(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const transaction = randomBytes(12);
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0); // Binding request
    request.writeUInt16BE(0, 2); // no attributes
    request.writeUInt32BE(MAGIC_COOKIE, 4);
    transaction.copy(request, 8);
    const done = (answered: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), 300);
    socket.once('error', () => done(false));
    socket.on('message', (reply) => {
      if (reply.length >= 20 && reply.readUInt16BE(0) === 0x0101 && reply.subarray(8, 20).equals(transaction))
        done(true);
    });
    socket.send(request, port, '127.0.0.1');
  });
}

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (accepted: boolean): void => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => done(true));
  });
}

function kill(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
