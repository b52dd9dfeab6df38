/**
 * The server process stops cleanly: on Ctrl-C (SIGINT to its whole process group, its mediasoup workers too,
 * as a terminal sends it) and on SIGTERM to the node alone (a service manager). Either way, with a lesson
 * running: exit code 0 well within the grace period, nothing logged at warn or above (no worker death, no
 * replacement), no mediasoup-worker process left, and the lesson closed (its board's final snapshot stored).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { admin, liveLessonOverHttp, login, ok, openMediaPage, ROOT, serverEnv } from '@cloudschool/testkit';
import type { LiveLesson } from '@cloudschool/testkit';
import { openBoardPage, strokeOf } from './support/board.ts';

/** main.ts's SHUTDOWN_GRACE_MS: a clean stop must come well before it. */
const GRACE_MS = 5000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Server {
  url: string;
  child: ChildProcess;
  /** Everything written on stdout (JSON log lines) and on stderr. */
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `node signaling/src/main.ts` leading a process group of its own, as a shell's foreground job: its workers
 * join the group, so a signal to the group reaches them too, as Ctrl-C does.
 */
async function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn(process.execPath, ['signaling/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
  });
  const url = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${stderr}`);
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** A process's name, state and parent from /proc/<pid>/stat; undefined once it is gone. */
function procStat(pid: number): { name: string; state: string; ppid: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …"; comm may hold spaces and parentheses.
  const close = stat.lastIndexOf(')');
  const [state, ppid] = stat.slice(close + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, close), state: state!, ppid: Number(ppid) };
}

/** The mediasoup worker processes whose parent is `pid`. */
function workerPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((p) => {
      const stat = procStat(p);
      // comm is cut to 15 characters: "mediasoup-worke".
      return stat?.ppid === pid && stat.name.startsWith('mediasoup-work');
    });
}

const running = (pid: number): boolean => {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
};

/** A lesson with a classroom's media on a worker, and the host's stroke on its board (only in the log yet). */
async function lessonRunning(url: string): Promise<LiveLesson> {
  const live = await liveLessonOverHttp(url, await login(url), 1);
  const pageCleanups: (() => void)[] = [];
  cleanups.push(() => pageCleanups.forEach((c) => c()));
  await openMediaPage(url, live.lessonId, { role: 'classroom', token: live.tokens[0]! }, pageCleanups);
  const host = await openBoardPage(url, live, { role: 'host' });
  cleanups.push(() => host.close());
  await ok(host.socket, 'board:stroke:end', strokeOf('p0', 10));
  const health = (await (await fetch(`${url}/healthz`)).json()) as { lessons: number };
  expect(health.lessons).toBe(1);
  return live;
}

/** The JSON log lines a server wrote; a line that is not JSON fails the test. */
function logLines(out: string): { level: number; msg: string }[] {
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { level: number; msg: string });
}

async function expectCleanStop(server: Server, send: () => void): Promise<void> {
  const pids = workerPids(server.child.pid!);
  // Two forwarding workers and the ingest worker.
  expect(pids).toHaveLength(3);
  const started = Date.now();
  send();
  const { code, signal } = await server.exited;
  const took = Date.now() - started;
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(took).toBeLessThan(GRACE_MS / 2);
  // The node waited for its workers: none is left, not even for a moment after it.
  expect(pids.filter(running)).toEqual([]);
  expect(server.stderr()).toBe('');
  const lines = logLines(server.stdout());
  const messages = lines.map((l) => l.msg);
  expect(messages).toContain('shutting down');
  expect(messages.at(-1)).toBe('stopped');
  // pino levels: 40 warn, 50 error, 60 fatal. The only warning allowed is the one about the UI not being built.
  const serious = lines.filter((l) => l.level >= 40 && !l.msg.startsWith('web UI not built'));
  expect(serious).toEqual([]);
  expect(messages.filter((m) => /died|replac|respawn/.test(m))).toEqual([]);
}

/** After a restart: the board comes back as one snapshot with no operations after it, so the lesson closed. */
async function expectFinalSnapshot(env: NodeJS.ProcessEnv, live: LiveLesson): Promise<void> {
  const again = await startServer(env);
  const page = await openBoardPage(again.url, live, { role: 'classroom', index: 0 }).catch(
    (error: unknown) => {
      // Say why: the restarted server's errors.
      const errors = logLines(again.stdout()).filter((l) => l.level >= 50);
      throw new Error(`${String(error)}; the server logged ${JSON.stringify(errors)} ${again.stderr()}`);
    },
  );
  cleanups.push(() => page.close());
  const board = await ok(page.socket, 'board:sync', {});
  expect(board.snapshot?.seq).toBe(1);
  expect(board.ops).toEqual([]);
}

// Two server starts per test, each a few seconds on a loaded machine.
describe('the server process stops cleanly', { timeout: 60_000 }, () => {
  const setUp = async (): Promise<{ env: NodeJS.ProcessEnv; server: Server; live: LiveLesson }> => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cs-main-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = await serverEnv({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      MEDIA_WORKERS: '2',
      ALLOW_PLAIN_TRANSPORTS: '1',
    });
    await admin(env);
    const server = await startServer(env);
    return { env, server, live: await lessonRunning(server.url) };
  };

  it('on Ctrl-C: SIGINT to its process group, the workers included', async () => {
    const { env, server, live } = await setUp();
    await expectCleanStop(server, () => process.kill(-server.child.pid!, 'SIGINT'));
    await expectFinalSnapshot(env, live);
  });

  it('on SIGTERM to the node alone', async () => {
    const { env, server, live } = await setUp();
    await expectCleanStop(server, () => process.kill(server.child.pid!, 'SIGTERM'));
    await expectFinalSnapshot(env, live);
  });
});
