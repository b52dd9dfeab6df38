/**
 * HTTPS by the server itself (TLS_CERT, TLS_KEY): the certificate and its key read from their files, checked,
 * served by a node:https server, and read again when they change (a renewal) or on SIGHUP, without a restart
 * (connections already open keep the certificate they began with).
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import https from 'node:https';
import type { RequestListener } from 'node:http';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../config.ts';
import type { Logger } from '../logger.ts';

export interface TlsFiles {
  /** PEM: the server's certificate first, then its intermediates (a "full chain"). */
  certFile: string;
  /** PEM: its private key, readable by the server's user only (or its group: not by others). */
  keyFile: string;
}

interface KeyPair {
  cert: Buffer;
  key: Buffer;
}

/** A certificate file change shows up as several events (key, then certificate; a rename): read once after them. */
const SETTLE_MS = 500;

/**
 * Reads both files and checks them: the key readable by nobody but its owner and group, a certificate that
 * goes with the key. Throws ConfigError saying which file and what is wrong.
 */
async function readKeyPair(files: TlsFiles): Promise<KeyPair> {
  const mode = await stat(files.keyFile).then(
    (s) => s.mode,
    (error: unknown) => {
      throw new ConfigError(`TLS_KEY: cannot read ${files.keyFile}: ${describe(error)}`);
    },
  );
  if ((mode & 0o007) !== 0) {
    throw new ConfigError(
      `TLS_KEY: ${files.keyFile} is open to every user of this machine (mode ${(mode & 0o777).toString(8)}): ` +
        `chmod 600 it (or 640, for a group such as ssl-cert)`,
    );
  }
  const read = (file: string, name: string): Promise<Buffer> =>
    readFile(file).catch((error: unknown) => {
      throw new ConfigError(`${name}: cannot read ${file}: ${describe(error)}`);
    });
  const [cert, key] = await Promise.all([read(files.certFile, 'TLS_CERT'), read(files.keyFile, 'TLS_KEY')]);
  try {
    // Parses both and checks that they belong together, as the server will.
    createSecureContext({ cert, key });
  } catch (error) {
    throw new ConfigError(`TLS_CERT / TLS_KEY: ${files.certFile} and ${files.keyFile}: ${describe(error)}`);
  }
  return { cert, key };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class TlsCertificate {
  readonly #files: TlsFiles;
  readonly #log: Logger;
  #pair: KeyPair;
  #server: https.Server | undefined;
  #watchers: FSWatcher[] = [];
  #settle: ReturnType<typeof setTimeout> | undefined;
  /** One reload at a time; a change during one reads the files again after it. */
  #reloading: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(files: TlsFiles, pair: KeyPair, log: Logger) {
    this.#files = files;
    this.#pair = pair;
    this.#log = log.child({ component: 'tls' });
  }

  /** Reads and checks the files (ConfigError if they will not do): to be called with the process's umask set. */
  static async load(files: TlsFiles, log: Logger): Promise<TlsCertificate> {
    return new TlsCertificate(files, await readKeyPair(files), log);
  }

  /** The HTTPS server for the app (one per certificate), with the certificate as read. */
  serve(app: RequestListener): https.Server {
    if (this.#server) throw new Error('TlsCertificate serves one server');
    this.#server = https.createServer({ ...this.#pair }, app);
    return this.#server;
  }

  /**
   * Reads the files again and, if they will do, serves the new certificate to new connections; if not, logs
   * why and keeps the one it has. Answers whether the new one is in use.
   */
  reload(): Promise<boolean> {
    const next = this.#reloading.then(async () => {
      if (this.#closed) return false;
      try {
        const pair = await readKeyPair(this.#files);
        this.#pair = pair;
        this.#server?.setSecureContext({ ...pair });
        this.#log.info({ cert: this.#files.certFile }, 'TLS certificate reloaded');
        return true;
      } catch (error) {
        this.#log.error({ err: error }, 'TLS certificate not reloaded: keeping the one in use');
        return false;
      }
    });
    this.#reloading = next.then(() => undefined);
    return next;
  }

  /**
   * Reloads when either file changes: watches their directories, as renewals replace files (a rename, a new
   * symlink) rather than write into them.
   */
  watch(): void {
    if (this.#closed || this.#watchers.length > 0) return;
    const names = new Map<string, Set<string>>();
    for (const file of [this.#files.certFile, this.#files.keyFile]) {
      const dir = path.dirname(path.resolve(file));
      const set = names.get(dir) ?? new Set<string>();
      set.add(path.basename(file));
      names.set(dir, set);
    }
    for (const [dir, files] of names) {
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          if (name === null || files.has(name.toString())) this.#changed();
        });
        watcher.on('error', (error) => this.#log.warn({ err: error, dir }, 'cannot watch the TLS files'));
        this.#watchers.push(watcher);
      } catch (error) {
        this.#log.warn({ err: error, dir }, 'cannot watch the TLS files: reload with SIGHUP');
      }
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#settle);
    for (const watcher of this.#watchers.splice(0)) watcher.close();
  }

  #changed(): void {
    clearTimeout(this.#settle);
    this.#settle = setTimeout(() => void this.reload(), SETTLE_MS);
    this.#settle.unref();
  }
}
