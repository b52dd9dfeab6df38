/**
 * HTTPS a district can run, both ways, with a throwaway CA made by the districts' own `infra/local-ca.sh`:
 *
 * - the server itself (TLS_CERT, TLS_KEY): pages, API and Socket.IO (WSS) over HTTPS on PORT, the login cookie
 *   `Secure`, HSTS, join links with https://, plain HTTP refused on that port; a renewed certificate served
 *   without a restart (the files change, or SIGHUP); refused at start when the key is open to other users,
 *   when one of the pair is missing, or when they do not belong together;
 * - Caddy in front (`infra/https.sh` on `infra/caddy/Caddyfile`, its own CA: `HTTPS_TLS=internal`): the
 *   same seen through the proxy (X-Forwarded-Proto makes the cookie Secure and links https://), WebSocket
 *   upgrades passed, a 20 MiB courseware upload let through, plain HTTP redirected.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  CADDY_BIN,
  connectClient,
  liveLessonOverHttp,
  login,
  makeTestCa,
  peerCertificate,
  ROOT,
  serverEnv,
  startCaddy,
  trustCa,
} from '@cloudschool/testkit';
import type { TestCa, TestCaddy } from '@cloudschool/testkit';

const NAMES = ['school.test', 'localhost', '127.0.0.1'];

interface Running {
  url: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** A process of ours, its output kept; `ready` polled until it holds or the process ends. */
async function launch(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  url: string,
  ready: () => Promise<boolean>,
): Promise<Running> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 25_000;
  while (!(await ready().catch(() => false))) {
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${command} did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, output: () => output, exited, stop };
}

const healthy = (url: string) => async () => (await fetch(`${url}/healthz`)).ok;

/** `node signaling/src/main.ts` as `npm start` runs it; resolves once /healthz answers over `url`'s scheme. */
function startNode(env: NodeJS.ProcessEnv): Promise<Running> {
  const url = `${env.TLS_CERT ? 'https' : 'http'}://127.0.0.1:${env.PORT}`;
  return launch(process.execPath, ['signaling/src/main.ts'], env, url, healthy(url));
}

/** The server's exit code and what it printed, when it must refuse to start. */
async function refusal(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['signaling/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

/** The join links of a lesson, as a coordinator reads them. */
async function joinLinks(url: string, lessonId: string, cookie: string): Promise<string[]> {
  const res = await fetch(`${url}/api/lessons/${lessonId}/links`, { headers: { cookie } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { links: { url: string }[] }).links.map((l) => l.url);
}

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let ca: TestCa;
beforeAll(async () => {
  ca = await makeTestCa(NAMES);
  cleanups.push(() => ca.remove());
  cleanups.push(trustCa(ca.caPem));
});

describe('infra/local-ca.sh', () => {
  it('keeps the CA key apart, every file private, and changes nothing when run again', async () => {
    for (const dir of [ca.caDir, ca.tlsDir]) expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const file of ['ca/ca.key', 'ca/ca.crt', 'tls/server.key', 'tls/server.crt']) {
      expect((await stat(path.join(ca.dir, file))).mode & 0o777, file).toBe(0o600);
    }
    expect(existsSync(path.join(ca.tlsDir, 'ca.key'))).toBe(false);
    const before = await readFile(ca.certFile, 'utf8');
    // The same names in another order: nothing to do.
    expect(await ca.issue([...NAMES].reverse())).toContain('is up to date');
    expect(await readFile(ca.certFile, 'utf8')).toBe(before);
  });
});

describe('the server with TLS_CERT and TLS_KEY', () => {
  let server: Running;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cs-https-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    // LOG_LEVEL info: the reloads are logged at info.
    const env = await serverEnv({
      TLS_CERT: ca.certFile,
      TLS_KEY: ca.keyFile,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    });
    await admin(env);
    server = await startNode(env);
    cleanups.push(() => server.stop());
  });

  it('answers over HTTPS, with HSTS, and makes its links https://', async () => {
    expect(server.url).toMatch(/^https:/);
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
    const page = await fetch(`${server.url}/login`);
    expect(page.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);

    const lesson = await liveLessonOverHttp(server.url, await login(server.url), 1);
    for (const link of await joinLinks(server.url, lesson.lessonId, lesson.coordinatorCookie)) {
      expect(link.startsWith(`${server.url}/classroom/`)).toBe(true);
    }
  });

  it('sets the login cookie Secure', async () => {
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin-pass-1' }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie()[0] ?? '';
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
  });

  it('carries Socket.IO over WSS, with the login', async () => {
    const socket = await connectClient(server.url, await login(server.url));
    try {
      expect(socket.connected).toBe(true);
      expect(socket.io.engine.transport.name).toBe('websocket');
    } finally {
      socket.disconnect();
    }
  });

  it('refuses plain HTTP on its port', async () => {
    const port = new URL(server.url).port;
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('serves a renewed certificate without a restart: when its files change, and on SIGHUP', async () => {
    const port = Number(new URL(server.url).port);
    const first = await peerCertificate('127.0.0.1', port);
    // One more address: local-ca.sh makes a new certificate, the server notices the files changed.
    expect(await ca.issue([...NAMES, '10.9.8.7'])).toContain("making the server's certificate");
    await expect
      .poll(async () => (await peerCertificate('127.0.0.1', port)).serialNumber, { timeout: 10_000 })
      .not.toBe(first.serialNumber);
    const renewed = await peerCertificate('127.0.0.1', port);
    expect(renewed.subjectAltName).toContain('IP Address:10.9.8.7');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    const reloads = (): number => server.output().split('TLS certificate reloaded').length - 1;
    const before = reloads();
    server.child.kill('SIGHUP');
    await expect.poll(reloads, { timeout: 10_000 }).toBe(before + 1);
    expect(server.child.exitCode).toBeNull();
    expect((await peerCertificate('127.0.0.1', port)).serialNumber).toBe(renewed.serialNumber);
  });
});

describe('the server refuses to start', () => {
  const base = async (extra: NodeJS.ProcessEnv) =>
    serverEnv({ DATA_DIR: path.join(ca.dir, 'unused-data'), ...extra });

  it('with a key other users can read', async () => {
    await chmod(ca.keyFile, 0o644);
    try {
      const { code, output } = await refusal(await base({ TLS_CERT: ca.certFile, TLS_KEY: ca.keyFile }));
      expect(code).toBe(1);
      expect(output).toContain('TLS_KEY');
      expect(output).toContain('chmod 600');
    } finally {
      await chmod(ca.keyFile, 0o600);
    }
  });

  it('with one of TLS_CERT and TLS_KEY only', async () => {
    const { code, output } = await refusal(await base({ TLS_CERT: ca.certFile }));
    expect(code).toBe(1);
    expect(output).toContain('TLS_CERT and TLS_KEY go together');
  });

  it('with a key that is not the certificate’s', async () => {
    const other = await makeTestCa(['elsewhere.test']);
    try {
      const { code, output } = await refusal(await base({ TLS_CERT: ca.certFile, TLS_KEY: other.keyFile }));
      expect(code).toBe(1);
      expect(output).toContain('TLS_CERT / TLS_KEY');
    } finally {
      await other.remove();
    }
  });
});

describe.skipIf(!existsSync(CADDY_BIN))('Caddy in front (infra/https.sh, HTTPS_TLS=internal)', () => {
  let caddy: TestCaddy;

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cs-caddy-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // As deployment.md says: npm start on loopback, plain HTTP, trusting the proxy on loopback (the default).
    const env = await serverEnv({ DATA_DIR: path.join(dir, 'data') });
    await admin(env);
    const server = await startNode(env);
    cleanups.push(() => server.stop());
    // Caddy's CA is trusted here as a classroom PC would.
    caddy = await startCaddy({ upstreams: [`127.0.0.1:${env.PORT}`], siteAddress: 'localhost,127.0.0.1' });
    cleanups.push(() => caddy.stop());
  });

  it('serves the pages over HTTPS with HSTS; links, cookie and WebSocket as the browser sees them', async () => {
    const res = await fetch(`${caddy.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);

    const cookie = await login(caddy.url);
    const raw = await fetch(`${caddy.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'admin-pass-1' }),
    });
    expect(raw.headers.getSetCookie()[0]).toMatch(/;\s*Secure/i);

    const lesson = await liveLessonOverHttp(caddy.url, cookie, 1);
    for (const link of await joinLinks(caddy.url, lesson.lessonId, cookie)) {
      expect(link.startsWith(`${caddy.url}/classroom/`)).toBe(true);
    }

    const socket = await connectClient(caddy.url, cookie);
    try {
      expect(socket.io.engine.transport.name).toBe('websocket');
    } finally {
      socket.disconnect();
    }

    // A courseware file of the largest size the server takes (20 MiB) passes the proxy.
    const pdf = Buffer.alloc(20 * 1024 * 1024, 0x20);
    pdf.write('%PDF-1.4\n');
    const upload = await fetch(`${caddy.url}/api/lessons/${lesson.lessonId}/courseware`, {
      method: 'POST',
      headers: { cookie: lesson.teacherCookie, 'content-type': 'application/pdf' },
      body: pdf,
    });
    expect(upload.status, await upload.clone().text()).toBe(201);
  });

  it('redirects plain HTTP to HTTPS', async () => {
    const res = await fetch(`http://127.0.0.1:${caddy.httpPort}/login`, { redirect: 'manual' });
    expect(res.status).toBe(308);
    // To the same name's https:// (on 443: Caddy 2.6 leaves a test's other HTTPS port out of it).
    const location = new URL(res.headers.get('location') ?? '');
    expect([location.protocol, location.hostname, location.pathname]).toEqual([
      'https:',
      '127.0.0.1',
      '/login',
    ]);
  });
});

describe.skipIf(!existsSync(CADDY_BIN))('Caddy in front of a cluster (UPSTREAM names several nodes)', () => {
  /** A stand-in node: answers /healthz, and /who with its name. */
  function standIn(name: string): Promise<{ address: string; close(): Promise<void> }> {
    const server = createServer((req, res) => res.end(req.url === '/who' ? name : 'ok'));
    return new Promise((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        resolve({
          address: `127.0.0.1:${port}`,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              server.closeAllConnections();
            }),
        });
      }),
    );
  }

  it('passes over a node that died: every request is answered, by the other node', async () => {
    const [a, b] = [await standIn('a'), await standIn('b')];
    cleanups.push(() => b.close());
    // `first`: the first node that answers, in this order (a standby), so the test knows which serves.
    const caddy = await startCaddy({ upstreams: [a.address, b.address], lbPolicy: 'first' });
    cleanups.push(() => caddy.stop());
    const url = caddy.url;
    const who = async (): Promise<string> => {
      const res = await fetch(`${url}/who`);
      return `${res.status} ${await res.text()}`;
    };
    expect(await who()).toBe('200 a');
    await a.close();
    // Asked one after the other until b answers: none of them fails on the way.
    const answers: string[] = [];
    while (answers.at(-1) !== '200 b' && answers.length < 100) answers.push(await who());
    expect(answers.at(-1)).toBe('200 b');
    expect(answers.filter((x) => x !== '200 b')).toEqual([]);
  });
});
