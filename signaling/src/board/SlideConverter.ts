import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { copyFile, mkdtemp, open, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { presentationTypes } from '@cloudschool/protocol';
import type { ConversionFailure, PresentationType } from '@cloudschool/protocol';

export class ConversionError extends Error {
  override name = 'ConversionError';
  readonly reason: ConversionFailure;

  constructor(reason: ConversionFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface SlideConverterOptions {
  /** LibreOffice's command (SOFFICE_PATH; default `soffice` on the PATH). */
  command: string;
  /** A conversion is stopped after this long. */
  timeoutMs: number;
  /** Conversions waiting beyond the running one; more are refused as busy. */
  maxWaiting: number;
}

export const SLIDE_CONVERTER_DEFAULTS: SlideConverterOptions = {
  command: 'soffice',
  timeoutMs: 120_000,
  maxWaiting: 4,
};

/**
 * Presentation → PDF with LibreOffice, one conversion at a time: a conversion takes a core and a few hundred MB,
 * so on a 2-core node a second one in parallel would only slow the live lessons. Each run gets a profile of its
 * own in a temporary directory (LibreOffice refuses to share one between processes, and a profile left by a
 * killed run could break the next), runs headless in its own process group, and is killed with it on timeout.
 */
export class SlideConverter {
  readonly #o: SlideConverterOptions;
  #queue: Promise<unknown> = Promise.resolve();
  #waiting = 0;

  private constructor(o: SlideConverterOptions) {
    this.#o = o;
  }

  static create(options: Partial<SlideConverterOptions> = {}): SlideConverter {
    return new SlideConverter({ ...SLIDE_CONVERTER_DEFAULTS, ...options });
  }

  /**
   * Converts `source` (a file of `type`) to a PDF written at `target`; ConversionError when it cannot. The source
   * is only read.
   */
  convert(source: string, type: PresentationType, target: string): Promise<void> {
    if (this.#waiting > this.#o.maxWaiting) {
      return Promise.reject(new ConversionError('busy', 'too many presentations are being converted'));
    }
    this.#waiting++;
    const run = this.#queue.then(() => {
      this.#waiting--;
      return this.#convertNow(source, type, target);
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #convertNow(source: string, type: PresentationType, target: string): Promise<void> {
    const work = await mkdtemp(path.join(os.tmpdir(), 'cs-slides-'));
    try {
      // LibreOffice picks its import filter by extension, and names the output after the input.
      const input = path.join(work, `slides.${presentationTypes[type]}`);
      await copyFile(source, input, constants.COPYFILE_EXCL);
      const out = path.join(work, 'out');
      await this.#run(work, input, out);
      const produced = path.join(out, 'slides.pdf');
      if (!(await startsWithPdf(produced))) {
        throw new ConversionError('unreadable', 'LibreOffice could not read this presentation');
      }
      await rename(produced, target).catch(async (error: unknown) => {
        // Another file system (the temporary directory on tmpfs): copy instead.
        if (!(error instanceof Error && 'code' in error && error.code === 'EXDEV')) throw error;
        await copyFile(produced, target);
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  #run(work: string, input: string, out: string): Promise<void> {
    const args = [
      '--headless',
      '--invisible',
      '--nologo',
      '--norestore',
      '--nolockcheck',
      '--nodefault',
      `-env:UserInstallation=file://${path.join(work, 'profile')}`,
      '--convert-to',
      'pdf',
      '--outdir',
      out,
      input,
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(this.#o.command, args, {
        cwd: work,
        detached: true,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, HOME: work },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < 4096) stderr += chunk.toString('utf8');
      });
      const timer = setTimeout(() => {
        killGroup(child.pid);
        reject(
          new ConversionError('timeout', `the conversion took longer than ${this.#o.timeoutMs / 1000} s`),
        );
      }, this.#o.timeoutMs);
      child.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(
          error.code === 'ENOENT'
            ? new ConversionError('unavailable', `LibreOffice (${this.#o.command}) is not installed`)
            : error,
        );
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        // LibreOffice may leave helpers behind in its group; the conversion is over either way.
        killGroup(child.pid);
        if (code === 0) resolve();
        else
          reject(
            new ConversionError('unreadable', `LibreOffice exited with ${code ?? signal}: ${stderr.trim()}`),
          );
      });
    });
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

async function startsWithPdf(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(5);
    const { bytesRead } = await handle.read(head, 0, 5, 0);
    return bytesRead === 5 && head.toString('latin1') === '%PDF-';
  } finally {
    await handle.close();
  }
}
