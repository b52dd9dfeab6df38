/**
 * The node's logger: one JSON object per line for collectors (CI, systemd, files), human-readable lines on a
 * terminal; either way the last line before process.exit() (the shutdown's 'stopped') is written.
 */
import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@cloudschool/testkit';
import { createLogger } from '../src/logger.ts';

/** A destination that keeps what is written, line by line. */
function collector(): { stream: Writable; lines: () => string[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, lines: () => text.split('\n').filter((line) => line !== '') };
}

const isTTY = process.stdout.isTTY;
afterEach(() => {
  process.stdout.isTTY = isTTY;
});

describe('createLogger', () => {
  it('writes one JSON object per line: level, time, service, the fields and the message', () => {
    const out = collector();
    const log = createLogger('info', { pretty: false, destination: out.stream });
    log.info({ lessonId: 'L1' }, 'joined');
    log.child({ component: 'sfu' }).error({ err: new Error('boom') }, 'failed');
    log.debug('below the level');
    const lines = out.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({
      level: 30,
      time: expect.any(Number),
      service: 'cloudschool',
      lessonId: 'L1',
      msg: 'joined',
    });
    expect(lines[1]).toMatchObject({
      level: 50,
      service: 'cloudschool',
      component: 'sfu',
      msg: 'failed',
      err: { type: 'Error', message: 'boom', stack: expect.stringContaining('Error: boom') },
    });
  });

  it('writes human-readable lines when pretty: time, level, message, then the fields; no service, no colour into a stream', async () => {
    const out = collector();
    const log = createLogger('info', { pretty: true, destination: out.stream });
    log.info({ lessonId: 'L1' }, 'joined');
    log.child({ component: 'sfu' }).error({ err: new Error('boom') }, 'failed');
    log.debug('below the level');
    // pino-pretty formats in a stream of its own: the lines come a moment later.
    await waitFor(() => out.lines().some((line) => line.includes('failed')), 'the pretty lines');
    const [first, second, ...error] = out.lines();
    expect(first).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: joined \{"lessonId":"L1"\}$/);
    expect(second).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] ERROR: failed \{"component":"sfu"\}$/);
    // The error, with its stack, on the lines after.
    expect(error.join('\n')).toContain('Error: boom');
    expect(out.lines().join('\n')).not.toContain('cloudschool');
    expect(out.lines().join('\n')).not.toContain('below the level');
    expect(out.lines().join('\n')).not.toContain('\u001b[');
  });

  it('is pretty by default on a terminal only', async () => {
    process.stdout.isTTY = false;
    const json = collector();
    createLogger('info', { destination: json.stream }).info('plain');
    expect(JSON.parse(json.lines()[0]!)).toMatchObject({ msg: 'plain' });

    process.stdout.isTTY = true;
    const human = collector();
    createLogger('info', { destination: human.stream }).info('plain');
    await waitFor(() => human.lines().length > 0, 'the pretty line');
    expect(human.lines()[0]).toMatch(/INFO: plain$/);
  });

  it.each([false, true])('writes the last line before process.exit() (pretty: %s)', async (pretty) => {
    const logger = fileURLToPath(new URL('../src/logger.ts', import.meta.url));
    const script = [
      `const { createLogger } = await import(${JSON.stringify(logger)});`,
      `createLogger('info', { pretty: ${pretty} }).info('stopped');`,
      'process.exit(0);',
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    expect(stdout).toContain('stopped');
    if (!pretty) expect(JSON.parse(stdout)).toMatchObject({ level: 30, msg: 'stopped' });
  });
});
