import { execFile } from 'node:child_process';
import { mkdtemp, rm, truncate, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { placeSegment } from '../../src/recording/FfmpegRun.ts';
import { playableSeconds, readSegmentList, unlistedSegments } from '../../src/recording/segments.ts';

const exec = promisify(execFile);

describe('segments', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cs-segments-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads the files ffmpeg listed, not a line it is still writing, and nothing before the list exists', async () => {
    const list = path.join(dir, 'r0.csv');
    expect(await readSegmentList(list)).toEqual([]);
    await writeFile(list, 'r0-00000.webm,0.000000,4.040000\nr0-00001.webm,4.040000,8.0\nr0-00002.we');
    expect(await readSegmentList(list)).toEqual([
      { file: 'r0-00000.webm', start: 0, end: 4.04 },
      { file: 'r0-00001.webm', start: 4.04, end: 8 },
    ]);
    expect(placeSegment(1_000_000, { file: 'x', start: 4.04, end: 8 })).toEqual({
      file: 'x',
      startedAt: 1_004_040,
      durationMs: 3_960,
    });
  });

  it('keeps of a file cut short what plays, and places it after the listed ones', async () => {
    // 3 s of VP8 + Opus in 1 s clusters, then cut at 60 % as a crash would.
    const file = path.join(dir, 'r0-00001.webm');
    // prettier-ignore
    await exec('ffmpeg', [
      '-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=10', '-f', 'lavfi', '-i', 'sine',
      '-t', '3', '-c:v', 'libvpx', '-g', '10', '-c:a', 'libopus', '-cluster_time_limit', '1000', file,
    ]);
    expect(await playableSeconds('ffprobe', file)).toBeCloseTo(3, 0);
    await truncate(file, Math.floor((await stat(file)).size * 0.6));
    const cut = await playableSeconds('ffprobe', file);
    expect(cut).toBeGreaterThan(0.5);
    expect(cut).toBeLessThan(2.5);
    await writeFile(path.join(dir, 'r0-00002.webm'), '');
    const listed = [{ file: 'r0-00000.webm', start: 0, end: 4 }];
    expect(await unlistedSegments('ffprobe', dir, 0, listed)).toEqual([
      { file: 'r0-00001.webm', start: 4, end: 4 + cut },
    ]);
    expect(await unlistedSegments('ffprobe', dir, 1, [])).toEqual([]);
  });
});
