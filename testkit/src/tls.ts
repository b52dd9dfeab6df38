/**
 * Throwaway certificates for tests of HTTPS: a CA and a server certificate made by the districts' own
 * `infra/local-ca.sh` (openssl) in a temporary directory, and ways to trust that CA as a classroom PC does: in
 * this process (Node's fetch, Socket.IO clients), and in Chromium on Linux (the NSS database in its HOME, with
 * NSS's `certutil`, Debian's libnss3-tools).
 */
import { execFile } from 'node:child_process';
import type { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { ROOT } from './process.ts';

const LOCAL_CA_SH = path.join(ROOT, 'infra/local-ca.sh');

export interface TestCa {
  /** The temporary directory holding everything (`ca/`, `tls/`). */
  dir: string;
  /** CA_DIR and TLS_DIR of `infra/local-ca.sh`. */
  caDir: string;
  tlsDir: string;
  /** For the server: TLS_CERT (the certificate, then the CA's) and TLS_KEY. */
  certFile: string;
  keyFile: string;
  /** The CA's certificate: its file, and PEM. */
  caFile: string;
  caPem: string;
  /** Runs `infra/local-ca.sh` again for these names (it makes a new server certificate only if it must); its output. */
  issue(names: readonly string[]): Promise<string>;
  /** Removes the directory. */
  remove(): Promise<void>;
}

/** A new CA in a temporary directory, and a server certificate from it for `names` (host names and IPs). */
export async function makeTestCa(names: readonly string[]): Promise<TestCa> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cloudschool-ca-'));
  const caDir = path.join(dir, 'ca');
  const tlsDir = path.join(dir, 'tls');
  const issue = async (list: readonly string[]): Promise<string> => {
    const { stdout, stderr } = await promisify(execFile)('bash', [LOCAL_CA_SH, ...list], {
      env: { ...process.env, CA_DIR: caDir, TLS_DIR: tlsDir, CA_NAME: 'CloudSchool test CA' },
    });
    return stderr + stdout;
  };
  try {
    await issue(names);
    const caFile = path.join(caDir, 'ca.crt');
    const caPem = await readFile(caFile, 'utf8');
    return {
      dir,
      caDir,
      tlsDir,
      certFile: path.join(tlsDir, 'server.crt'),
      keyFile: path.join(tlsDir, 'server.key'),
      caFile,
      caPem,
      issue,
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A HOME directory (`<ca.dir>/home`, removed with the CA) whose NSS database trusts the CA to identify web
 * sites: Chromium on Linux started with it trusts the CA besides its built-in roots, as after
 * `certutil -A -t C,,` on a PC (infra/deployment.md, "Trusting the CA on classroom PCs").
 */
export async function homeTrustingCa(ca: TestCa): Promise<string> {
  const home = path.join(ca.dir, 'home');
  const db = `sql:${path.join(home, '.pki/nssdb')}`;
  await mkdir(path.join(home, '.pki/nssdb'), { recursive: true });
  const run = promisify(execFile);
  await run('certutil', ['-d', db, '-N', '--empty-password']);
  await run('certutil', ['-d', db, '-A', '-t', 'C,,', '-n', 'CloudSchool test CA', '-i', ca.caFile]);
  return home;
}

/**
 * Makes this process's TLS clients (fetch, https, Socket.IO's WebSocket) trust the CA too, besides the
 * usual roots; answers the function that undoes it.
 */
export function trustCa(caPem: string): () => void {
  const before = tls.getCACertificates('default');
  tls.setDefaultCACertificates([...before, caPem]);
  return () => tls.setDefaultCACertificates(before);
}

/** The certificate a TLS server at `host:port` presents (its leaf), whether or not it is trusted. */
export function peerCertificate(host: string, port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.destroy();
      if (cert) resolve(cert);
      else reject(new Error('no certificate'));
    });
    socket.once('error', reject);
  });
}
