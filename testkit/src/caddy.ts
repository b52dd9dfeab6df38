/**
 * A real Caddy of its own for tests and benchmarks: the districts' launcher and configuration (`infra/https.sh`
 * on `infra/caddy/Caddyfile`) with Caddy's own CA (`HTTPS_TLS=internal`), on free ports, in front of one node or
 * several. This process trusts that CA while it runs (fetch, Socket.IO); browsers are told to accept it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './ports.ts';
import { ROOT } from './process.ts';
import { trustCa } from './tls.ts';

/** Caddy's binary (Debian's package `caddy`, installed by infra/setup.sh). */
export const CADDY_BIN = process.env.CADDY_BIN ?? '/usr/bin/caddy';
const START_TIMEOUT_MS = 25_000;

export interface CaddyOptions {
  /** `host:port` of each node behind it (infra/https.sh's UPSTREAM). */
  upstreams: readonly string[];
  /** infra/https.sh's LB_POLICY (least_conn unless told). */
  lbPolicy?: 'least_conn' | 'round_robin' | 'first' | 'random';
  /** The site's names (infra/https.sh's SITE_ADDRESS); `localhost` unless told. */
  siteAddress?: string;
}

export interface TestCaddy {
  /** `https://<first site name>:<port>`. */
  url: string;
  /** Its plain-HTTP port (it only redirects to HTTPS). */
  httpPort: number;
  /** Everything it has printed so far. */
  output(): string;
  /** Stops Caddy (SIGTERM), forgets its CA and removes its directory. */
  stop(): Promise<void>;
}

/** Resolves once /healthz answers through it over HTTPS (so at least one node behind it answers). */
export async function startCaddy(o: CaddyOptions): Promise<TestCaddy> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cs-caddy-'));
  const site = o.siteAddress ?? 'localhost';
  const [httpsPort, httpPort] = [await freePort(), await freePort()];
  const url = `https://${site.split(',')[0]}:${httpsPort}`;
  const dataHome = path.join(dir, 'caddy-data');
  const root = path.join(dataHome, 'caddy/pki/authorities/local/root.crt');
  const child = spawn('bash', ['infra/https.sh'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SITE_ADDRESS: site,
      HTTPS_TLS: 'internal',
      UPSTREAM: o.upstreams.join(','),
      LB_POLICY: o.lbPolicy ?? 'least_conn',
      HTTPS_PORT: String(httpsPort),
      HTTP_PORT: String(httpPort),
      CADDY_BIN,
      XDG_DATA_HOME: dataHome,
      XDG_CONFIG_HOME: path.join(dir, 'caddy-config'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let untrust: (() => void) | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      untrust?.();
      await rm(dir, { recursive: true, force: true });
    })());
  // Caddy makes its CA as it starts: trusted here once it exists, as a classroom PC would.
  const ready = async (): Promise<boolean> => {
    if (!existsSync(root)) return false;
    untrust ??= trustCa(await readFile(root, 'utf8'));
    return (await fetch(`${url}/healthz`)).ok;
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await ready().catch(() => false))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`caddy did not start (${child.exitCode ?? 'timed out'}):\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, httpPort, output: () => output, stop };
}
