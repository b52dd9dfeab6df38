/** The real server as a child process, for durability tests and benchmarks. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, freePortRange } from './ports.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function run(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

export async function admin(env: NodeJS.ProcessEnv): Promise<void> {
  const child = run(
    [
      'signaling/src/cli.ts',
      'create-coordinator',
      '--username',
      'admin',
      '--password',
      'admin-pass-1',
      '--name',
      '管理员',
    ],
    env,
  );
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`create-coordinator exited with ${code}`);
}

/** With TLS_CERT the server speaks HTTPS: this process must trust its CA (testkit's `trustCa`). */
export async function startServer(env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const child = run(['signaling/src/main.ts'], env);
  const url = `${env.TLS_CERT ? 'https' : 'http'}://127.0.0.1:${env.PORT}`;
  await waitForHealth(url, () => child.exitCode ?? child.signalCode);
  return { url, child };
}

/**
 * Polls the server's GET /healthz every 100 ms until it answers OK; fails as soon as `exited()` says the
 * process ended (its exit code or signal), or after `timeoutMs`.
 */
export async function waitForHealth(
  url: string,
  exited: () => number | string | null,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited() !== null) throw new Error(`server exited with ${exited()}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

export async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** The cluster secret of every test node (never a real district's). */
export const TEST_CLUSTER_SECRET = 'cloudschool-tests-only-cluster-secret-0123456789';

export async function serverEnv(extra: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  const port = await freePort();
  // Forwarding workers plus the ingest worker, one UDP + TCP port each.
  const mediaPorts = Number(extra.MEDIA_WORKERS ?? 1) + 1;
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    // Tests may open raw-RTP transports (ALLOW_PLAIN_TRANSPORTS), refused outside a test mode.
    CLOUDSCHOOL_TEST_MODE: '1',
    // Nodes sharing a Redis seal their messages with a secret they all know.
    CLUSTER_SECRET: TEST_CLUSTER_SECRET,
    MEDIA_WORKERS: '1',
    MEDIA_LISTEN_IP: '127.0.0.1',
    MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1',
    MEDIA_PORT_BASE: String(await freePortRange(mediaPorts)),
    WEB_HANDLER: path.join(ROOT, 'no-ui-in-this-test.js'),
    ...extra,
  };
}

export async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'admin-pass-1' }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}
