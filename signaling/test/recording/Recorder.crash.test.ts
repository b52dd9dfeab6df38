/**
 * Nothing but the last seconds is lost: the recording node killed with SIGKILL (its ffmpeg follows, by
 * pdeathsig) leaves segments that play, and the recorder started again marks the recording interrupted;
 * ffmpeg alone killed with SIGKILL mid-segment keeps what it wrote of that segment, and the recording goes on.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { testSfu } from '@cloudschool/sfu/testing';
import { FfmpegRtpSender, kill9 } from '@cloudschool/testkit';
import { Recorder } from '../../src/recording/Recorder.ts';
import { RECORDER_DEFAULTS } from '../../src/recording/RecorderTypes.ts';
import { SqliteStore } from '../../src/store/SqliteStore.ts';
import { ffprobe, joined, kindsOf, publishHost, sleep } from './support.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cs-recorder-crash-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Whether the process runs (a zombie waiting to be reaped has ended). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const options = { ...RECORDER_DEFAULTS, nodeId: 'node-a', logger: pino({ level: 'silent' }) };

describe('a recording survives', () => {
  it('kill -9 of its node: after a restart it is listed as interrupted and plays to within 5 s of the kill', async () => {
    const dataDir = await tempDir();
    const child = spawn(process.execPath, [fileURLToPath(new URL('recordingNode.ts', import.meta.url))], {
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) return kill9(child);
    });
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const node = JSON.parse(line) as {
      recordingId: string;
      ffmpegPid: number;
      ip: string;
      videoPort: number;
      audioPort: number;
    };
    const sender = new FfmpegRtpSender();
    cleanups.push(() => sender.stop());
    sender.start(node);
    const started = Date.now();
    await sleep(9_000);
    await kill9(child);
    const killedAt = Date.now();
    await sender.stop();
    const store = await SqliteStore.open(dataDir);
    cleanups.push(() => store.close());
    expect((await store.getRecording('lesson-crash', node.recordingId))?.status).toBe('recording');
    // Started again at once: its ffmpeg, stopped by pdeathsig, may still be closing its last file (if no
    // packet came after the signal, until its input times out, ≈ 10 s); the recorder waits for it.
    const { recorder, interrupted } = await Recorder.create({ ...options, store, dataDir });
    cleanups.push(() => recorder.close());
    expect(alive(node.ffmpegPid)).toBe(false);

    expect(interrupted.map((r) => r.id)).toEqual([node.recordingId]);
    const [record] = await store.listRecordings('lesson-crash');
    expect(record).toMatchObject({ id: node.recordingId, status: 'interrupted' });
    expect(record!.endedAt).toBeGreaterThan(killedAt - 5_000);
    expect(record!.endedAt).toBeLessThanOrEqual(killedAt);
    expect(await store.listOpenRecordings('node-a')).toEqual([]);
    const segments = await store.listRecordingSegments(node.recordingId);
    const dir = recorder.directory('lesson-crash', node.recordingId);
    for (const segment of segments) {
      expect(kindsOf(await ffprobe(path.join(dir, segment.file)))).toEqual(['audio/opus', 'video/vp8']);
    }
    const whole = await ffprobe(
      await joined(
        dir,
        segments.map((s) => s.file),
      ),
    );
    expect(Number(whole.format.duration) * 1000).toBeGreaterThan(killedAt - started - 5_000);
    // Started again, the recorder finds nothing more to close.
    expect((await Recorder.create({ ...options, store, dataDir })).interrupted).toEqual([]);
  });

  it('kill -9 of its ffmpeg mid-segment: what that ffmpeg wrote plays, and a new one carries on', async () => {
    const dataDir = await tempDir();
    const sfu = await testSfu(1);
    cleanups.push(() => sfu.close());
    const store = await SqliteStore.open(dataDir);
    cleanups.push(() => store.close());
    const { recorder } = await Recorder.create({ ...options, store, dataDir });
    cleanups.push(() => recorder.close());
    const sender = new FfmpegRtpSender();
    cleanups.push(() => sender.stop());
    const room = await sfu.room('lesson-ffmpeg');
    const recording = await recorder.start('lesson-ffmpeg', room, await publishHost(room, sender));
    const started = Date.now();
    // A segment is closed at the first key frame (one per 2 s) after 4 s: 7.5 s is ≥ 1.5 s into the next.
    await sleep(7_500);
    const killed = recording.ffmpegPid!;
    process.kill(killed, 'SIGKILL');
    await sleep(6_000);
    expect(recording.ffmpegPid).toBeDefined();
    expect(recording.ffmpegPid).not.toBe(killed);
    const ran = Date.now() - started;
    const record = await recorder.stop(recording);

    expect(record.status).toBe('complete');
    const segments = await store.listRecordingSegments(recording.id);
    const dir = recorder.directory('lesson-ffmpeg', recording.id);
    const firstRun = segments.filter((s) => s.run === 0);
    // The segment ffmpeg was writing when killed was never listed by it: probed, it plays ≥ 0.5 s.
    expect(firstRun.length).toBeGreaterThanOrEqual(2);
    expect(firstRun.at(-1)!.durationMs).toBeGreaterThanOrEqual(500);
    expect(segments.some((s) => s.run === 1)).toBe(true);
    for (const segment of segments) {
      expect(kindsOf(await ffprobe(path.join(dir, segment.file)))).toEqual(['audio/opus', 'video/vp8']);
    }
    const whole = await ffprobe(
      await joined(
        dir,
        segments.map((s) => s.file),
      ),
    );
    // Lost: ≤ 1 s of the killed file, the restart's second and ffmpeg's start.
    expect(Number(whole.format.duration) * 1000).toBeGreaterThan(ran - 3_500);
  });
});
