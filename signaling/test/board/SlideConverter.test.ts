/** Presentation → PDF with the real LibreOffice the set-up installs; its failures, one at a time, cleaned up. */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { corruptPptx, makePptx } from '@cloudschool/testkit/slides';
import { ConversionError, SlideConverter } from '../../src/board/SlideConverter.ts';
import type { ConversionFailure } from '@cloudschool/protocol';

const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
let dir: string;
const scratch = (): string[] => readdirSync(os.tmpdir()).filter((name) => name.startsWith('cs-slides-'));
let before: string[];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cs-convert-test-'));
  before = scratch();
});
afterEach(() => {
  // Each conversion's scratch directory (input copy, LibreOffice profile) is gone when it is over.
  expect(scratch().filter((name) => !before.includes(name))).toEqual([]);
});

function file(name: string, bytes: Buffer): string {
  const at = path.join(dir, name);
  writeFileSync(at, bytes);
  return at;
}

/** A stand-in for LibreOffice that sleeps, and starts a child that would outlive it if only it were killed. */
function slowCommand(seconds: number): string {
  const script = file('slow-soffice.sh', Buffer.from(`#!/bin/sh\nsleep ${seconds} &\nsleep ${seconds}\n`));
  chmodSync(script, 0o755);
  return script;
}

async function failure(promise: Promise<unknown>): Promise<ConversionFailure> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConversionError);
  return (error as ConversionError).reason;
}

describe('SlideConverter', () => {
  it('turns a 3-slide pptx into a 3-page PDF', async () => {
    const target = path.join(dir, 'out.pdf');
    await SlideConverter.create().convert(file('deck.pptx', await makePptx(3)), PPTX, target);
    const pdf = readFileSync(target);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)).toHaveLength(3);
  }, 60_000);

  it('says a corrupt pptx is unreadable and writes nothing', async () => {
    const target = path.join(dir, 'out.pdf');
    const reason = await failure(
      SlideConverter.create().convert(file('broken.pptx', await corruptPptx()), PPTX, target),
    );
    expect(reason).toBe('unreadable');
    expect(readdirSync(dir)).not.toContain('out.pdf');
  }, 60_000);

  it('stops a conversion that takes too long, and what it started', async () => {
    const converter = SlideConverter.create({ command: slowCommand(31.7), timeoutMs: 300 });
    const source = file('deck.pptx', await makePptx(1));
    expect(await failure(converter.convert(source, PPTX, path.join(dir, 'o.pdf')))).toBe('timeout');
    // pgrep answers 1 when no process matches: the whole group is gone, the background child too.
    const running = (): string => {
      try {
        return execFileSync('pgrep', ['-f', 'sleep 31.7'], { encoding: 'utf8' });
      } catch {
        return '';
      }
    };
    await expect.poll(running).toBe('');
  });

  it('runs one at a time and refuses beyond its queue', async () => {
    const converter = SlideConverter.create({ command: slowCommand(1), timeoutMs: 200, maxWaiting: 1 });
    const source = file('deck.pptx', await makePptx(1));
    const runs = [1, 2, 3].map((n) => converter.convert(source, PPTX, path.join(dir, `o${n}.pdf`)));
    const reasons = await Promise.all(runs.map(failure));
    // The first runs, one waits, the third is refused at once; the two that ran were stopped by the timeout.
    expect(reasons).toEqual(['timeout', 'timeout', 'busy']);
  });

  it('says so when LibreOffice is not installed', async () => {
    const converter = SlideConverter.create({ command: '/nonexistent/soffice' });
    const reason = await failure(
      converter.convert(file('deck.pptx', await makePptx(1)), PPTX, path.join(dir, 'o.pdf')),
    );
    expect(reason).toBe('unavailable');
  });
});
