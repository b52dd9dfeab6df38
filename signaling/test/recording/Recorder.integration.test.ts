/**
 * The recorder on real mediasoup workers and a real ffmpeg: a simulated host sends real VP8 and Opus, the
 * recording's WebM segments are checked with ffprobe.
 */
import dgram from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sfu } from '@cloudschool/sfu';
import { testSfu } from '@cloudschool/sfu/testing';
import { audioRtpParameters, FfmpegRtpSender, videoRtpParameters } from '@cloudschool/testkit';
import { Recorder } from '../../src/recording/Recorder.ts';
import { RECORDER_DEFAULTS } from '../../src/recording/RecorderTypes.ts';
import { SqliteStore } from '../../src/store/SqliteStore.ts';
import type { Store } from '../../src/store/Store.ts';
import { ffprobe, joined, kindsOf, packetTimes, publishHost, sleep } from './support.ts';

describe('Recorder', () => {
  let dir: string;
  let sfu: Sfu;
  let store: Store;
  let recorder: Recorder;
  const senders: FfmpegRtpSender[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cs-recorder-'));
    sfu = await testSfu(1);
    store = await SqliteStore.open(dir);
    ({ recorder } = await Recorder.create({
      ...RECORDER_DEFAULTS,
      store,
      nodeId: 'node-a',
      dataDir: dir,
      logger: pino({ level: 'silent' }),
    }));
  });

  afterEach(async () => {
    await recorder.close();
    await Promise.all(senders.splice(0).map((s) => s.stop()));
    sfu.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  function sender(): FfmpegRtpSender {
    const s = new FfmpegRtpSender();
    senders.push(s);
    return s;
  }

  it('records the host’s camera and voice as WebM segments that play as one, as long as it ran (±1 s)', async () => {
    const room = await sfu.room('lesson-1');
    const tracks = await publishHost(room, sender());
    const recording = await recorder.start('lesson-1', room, tracks);
    const started = Date.now();
    await sleep(8_000);
    const ran = Date.now() - started;
    const record = await recorder.stop(recording);

    expect(record).toMatchObject({ lessonId: 'lesson-1', status: 'complete', nodeId: 'node-a' });
    expect(await store.listRecordings('lesson-1')).toEqual([record]);
    expect(await store.listOpenRecordings('node-a')).toEqual([]);
    const segments = await store.listRecordingSegments(recording.id);
    expect(segments.length).toBeGreaterThanOrEqual(2);
    const files = recorder.directory('lesson-1', recording.id);
    for (const segment of segments) {
      expect(kindsOf(await ffprobe(path.join(files, segment.file)))).toEqual(['audio/opus', 'video/vp8']);
    }
    // One timeline: each segment starts where the one before ended.
    for (let i = 1; i < segments.length; i++) {
      const before = segments[i - 1]!;
      expect(Math.abs(segments[i]!.startedAt - (before.startedAt + before.durationMs))).toBeLessThan(300);
    }
    expect(Math.abs(segments[0]!.startedAt - started)).toBeLessThan(1_000);
    const whole = await ffprobe(
      await joined(
        files,
        segments.map((s) => s.file),
      ),
    );
    expect(kindsOf(whole)).toEqual(['audio/opus', 'video/vp8']);
    expect(Math.abs(Number(whole.format.duration) * 1000 - ran)).toBeLessThan(1_000);
    const stored = segments.reduce((sum, s) => sum + s.durationMs, 0);
    expect(Math.abs(stored - ran)).toBeLessThan(1_000);
  });

  it('places a camera that starts after the voice where it started, frame after frame without a jump', async () => {
    const room = await sfu.room('lesson-4');
    const host = room.peer('host', 'sender');
    const video = await host.createPlainTransport('send');
    const audio = await host.createPlainTransport('send');
    const camera = await host.produce(video.id, 'video', videoRtpParameters, { source: 'camera' });
    const mic = await host.produce(audio.id, 'audio', audioRtpParameters, { source: 'mic' });
    // Each sender sends both kinds: the other kind goes to a port nobody reads.
    const nowhere = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => nowhere.bind(0, '127.0.0.1', resolve));
    const { port: nowherePort } = nowhere.address();
    sender().start({ ip: audio.ip, videoPort: nowherePort, audioPort: audio.port });
    await sleep(1_000);
    const recording = await recorder.start('lesson-4', room, [
      { source: 'camera', kind: 'video', producerId: camera.id },
      { source: 'mic', kind: 'audio', producerId: mic.id },
    ]);
    // The voice is recorded from the start, the camera's first frame comes 1.5 s later (a browser's camera
    // answering the key frame request late does the same): ffmpeg stamps each RTP stream from its own first
    // packet until the stream's first RTCP sender report, then moves it onto the reports' common clock.
    await sleep(1_500);
    sender().start({ ip: video.ip, videoPort: video.port, audioPort: nowherePort });
    await sleep(8_000);
    await recorder.stop(recording);
    nowhere.close();

    const segments = await store.listRecordingSegments(recording.id);
    const files = recorder.directory('lesson-4', recording.id);
    const frames = await packetTimes(
      await joined(
        files,
        segments.map((s) => s.file),
      ),
      'video',
    );
    expect(frames.length).toBeGreaterThan(50);
    // The first frame where the camera started (not at the run's zero with the voice's first packet) …
    expect(frames[0]).toBeGreaterThanOrEqual(1);
    // … and the next ones in order (stamped as they arrive: two read together may share a millisecond), none
    // 0.5 s or more after the one before (15 fps).
    const gaps = frames.slice(1).map((at, i) => at - frames[i]!);
    expect(gaps.filter((gap) => gap < 0 || gap >= 0.5)).toEqual([]);
  });

  it('goes on in the same recording when the host publishes again (a reload), with one timeline', async () => {
    const room = await sfu.room('lesson-2');
    const first = sender();
    const recording = await recorder.start('lesson-2', room, await publishHost(room, first, 'host-1'));
    const started = Date.now();
    await sleep(4_500);
    // The page reloads: its producers go, a new page publishes new ones a moment later.
    await first.stop();
    room.existingPeer('host-1')?.close();
    await recording.follow([]);
    await sleep(500);
    await recording.follow(await publishHost(room, sender(), 'host-2'));
    await sleep(4_500);
    const ran = Date.now() - started;
    // Stopping waits for the first run's ffmpeg too: its input times out ≈ 10 s after its producers went.
    const record = await recorder.stop(recording);

    expect((await store.listRecordings('lesson-2')).map((r) => r.id)).toEqual([record.id]);
    const segments = await store.listRecordingSegments(recording.id);
    expect(new Set(segments.map((s) => s.run))).toEqual(new Set([0, 1]));
    const files = recorder.directory('lesson-2', recording.id);
    for (const segment of segments) {
      expect(kindsOf(await ffprobe(path.join(files, segment.file)))).toEqual(['audio/opus', 'video/vp8']);
    }
    // The second run starts after the first ended, within the reload's gap (0.5 s and the restart).
    const lastOfFirst = segments.filter((s) => s.run === 0).at(-1)!;
    const firstOfSecond = segments.find((s) => s.run === 1)!;
    const gap = firstOfSecond.startedAt - (lastOfFirst.startedAt + lastOfFirst.durationMs);
    expect(gap).toBeGreaterThanOrEqual(0);
    expect(gap).toBeLessThan(2_000);
    const recorded = segments.reduce((sum, s) => sum + s.durationMs, 0);
    expect(recorded).toBeGreaterThan(ran - 2_500);
    expect(recorded).toBeLessThanOrEqual(ran + 500);
  });

  it('asks the host for a key frame only when the video has gone keyFrameSeconds without one', async () => {
    // Each ask costs every classroom a key frame: a sender with key frames of its own every 2 s is asked
    // only at the run's start (then and a second in); one without is asked again every 3 s.
    const { recorder: asking } = await Recorder.create({
      ...RECORDER_DEFAULTS,
      keyFrameSeconds: 3,
      store,
      nodeId: 'node-c',
      dataDir: dir,
      logger: pino({ level: 'silent' }),
    });
    async function record(lessonId: string, keyFrameSeconds: number) {
      const room = await sfu.room(lessonId);
      const host = room.peer('host', 'sender');
      const video = await host.createPlainTransport('send');
      const audio = await host.createPlainTransport('send');
      // A camera that takes PLI (the sender ignores them; the producer counts them).
      const [codec] = videoRtpParameters.codecs;
      const takesPli = {
        ...videoRtpParameters,
        codecs: [{ ...codec!, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
      };
      const camera = await host.produce(video.id, 'video', takesPli, { source: 'camera' });
      const mic = await host.produce(audio.id, 'audio', audioRtpParameters, { source: 'mic' });
      const s = new FfmpegRtpSender({ keyFrameSeconds });
      senders.push(s);
      s.start({ ip: video.ip, videoPort: video.port, audioPort: audio.port });
      const recording = await asking.start(lessonId, room, [
        { source: 'camera', kind: 'video', producerId: camera.id },
        { source: 'mic', kind: 'audio', producerId: mic.id },
      ]);
      return { camera, recording };
    }
    try {
      const [keyed, bare] = await Promise.all([record('lesson-5', 2), record('lesson-6', 60)]);
      const asked = async (p: typeof keyed.camera) =>
        (await p.getStats()).reduce((sum, s) => sum + (s.pliCount ?? 0), 0);
      await sleep(10_000);
      const [keyedAsks, bareAsks] = [await asked(keyed.camera), await asked(bare.camera)];
      await Promise.all([asking.stop(keyed.recording), asking.stop(bare.recording)]);
      // The producer counts mediasoup's own requests too (a consumer resumed asks for one): compared, not counted.
      expect(keyedAsks).toBeGreaterThan(0);
      // Asked again at ≈ 4, 7 and 10 s (the producer's keyFrameRequestDelay may fold two into one).
      expect(bareAsks).toBeGreaterThanOrEqual(keyedAsks + 2);
    } finally {
      await asking.close();
    }
  });

  it('adds a shared screen as a second video stream when the host starts sharing', async () => {
    const room = await sfu.room('lesson-3');
    const tracks = await publishHost(room, sender());
    const recording = await recorder.start('lesson-3', room, tracks);
    // Long enough for the test sender's next key frame (it ignores PLI; a browser answers at once): ffmpeg
    // writes nothing before it knows the picture's size.
    await sleep(5_000);
    const host = room.existingPeer('host')!;
    const screenTransport = await host.createPlainTransport('send');
    const screen = await host.produce(screenTransport.id, 'video', videoRtpParameters, { source: 'screen' });
    // The screen sender's tone goes to a port nobody reads.
    const nowhere = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => nowhere.bind(0, '127.0.0.1', resolve));
    const { port: nowherePort } = nowhere.address();
    sender().start({ ip: screenTransport.ip, videoPort: screenTransport.port, audioPort: nowherePort });
    await recording.follow([...tracks, { source: 'screen', kind: 'video', producerId: screen.id }]);
    await sleep(5_000);
    await recorder.stop(recording);
    nowhere.close();

    const segments = await store.listRecordingSegments(recording.id);
    const files = recorder.directory('lesson-3', recording.id);
    const [firstRun, secondRun] = [0, 1].map((run) => segments.filter((s) => s.run === run));
    expect(firstRun!.length).toBeGreaterThan(0);
    expect(secondRun!.length).toBeGreaterThan(0);
    for (const segment of firstRun!) {
      expect(kindsOf(await ffprobe(path.join(files, segment.file)))).toEqual(['audio/opus', 'video/vp8']);
    }
    for (const segment of secondRun!) {
      expect(kindsOf(await ffprobe(path.join(files, segment.file)))).toEqual([
        'audio/opus',
        'video/vp8',
        'video/vp8',
      ]);
    }
  });

  describe('when ffmpeg exits before it listens', () => {
    /** A recorder whose ffmpeg is a script: it fails (saying why) `failures` times, then is ffmpeg. */
    async function recorderFailing(
      failures: number,
    ): Promise<{ other: Recorder; calls: () => Promise<number> }> {
      const script = path.join(dir, 'ffmpeg-failing.sh');
      const count = path.join(dir, 'ffmpeg-calls');
      await writeFile(
        script,
        [
          '#!/bin/sh',
          `echo x >> '${count}'`,
          `if [ "$(wc -l < '${count}')" -le ${failures} ]; then`,
          "  echo 'bind failed: Address already in use' >&2",
          '  exit 1',
          'fi',
          'exec ffmpeg "$@"',
        ].join('\n'),
        { mode: 0o755 },
      );
      const { recorder: other } = await Recorder.create({
        ...RECORDER_DEFAULTS,
        ffmpeg: script,
        store,
        nodeId: 'node-b',
        dataDir: dir,
        logger: pino({ level: 'silent' }),
      });
      const calls = async (): Promise<number> => (await readFile(count, 'utf8')).split('\n').length - 1;
      return { other, calls };
    }

    it('starts it again on other ports, and records', async () => {
      const { other, calls } = await recorderFailing(2);
      try {
        const room = await sfu.room('lesson-4');
        const recording = await other.start('lesson-4', room, await publishHost(room, sender()));
        await sleep(5_000);
        const record = await other.stop(recording);

        expect(await calls()).toBe(3);
        expect(record.status).toBe('complete');
        const segments = await store.listRecordingSegments(recording.id);
        expect(segments.length).toBeGreaterThan(0);
        const files = other.directory('lesson-4', recording.id);
        expect(kindsOf(await ffprobe(path.join(files, segments[0]!.file)))).toEqual([
          'audio/opus',
          'video/vp8',
        ]);
      } finally {
        await other.close();
      }
    });

    it('gives up after three tries with what ffmpeg said, the recording ended empty and its consumers gone', async () => {
      const { other, calls } = await recorderFailing(3);
      try {
        const room = await sfu.room('lesson-5');
        const tracks = await publishHost(room, sender());
        await expect(other.start('lesson-5', room, tracks)).rejects.toThrow(
          'ffmpeg exited (1) before listening: bind failed: Address already in use',
        );
        expect(await calls()).toBe(3);
        const [record] = await store.listRecordings('lesson-5');
        expect(record?.status).toBe('complete');
        expect(await store.listRecordingSegments(record!.id)).toEqual([]);
        expect(room.consumerCount()).toBe(0);
      } finally {
        await other.close();
      }
    });
  });
});
