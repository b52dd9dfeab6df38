/**
 * npm run bench:recording — what recording a lesson costs: CPU and disk per recorded hour, and how many
 * lessons one core can record at once. A camera-like clip (VP8 1280×720 at ≈ 1.5 Mbit/s, Opus) is encoded
 * once, then sent as RTP without re-encoding (ffmpeg -c copy, looped, in real time) to a real mediasoup
 * worker as a host's camera and microphone; the server's own Recorder records it (PlainTransport consumers
 * into ffmpeg, WebM segments). Measured from /proc: the worker without and with the recording (its
 * difference is the recording's consumers), the recorder's ffmpeg, this Node process (the recorder's code
 * and the harness). Then RAMP lessons recorded at once, a window each. Writes bench/results/recording.{md,json}.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { MediaRoom, Sfu } from '@cloudschool/sfu';
import { testSfu } from '@cloudschool/sfu/testing';
import { AUDIO, audioRtpParameters, VIDEO, videoRtpParameters } from '@cloudschool/testkit';
import { Recorder } from '../signaling/src/recording/Recorder.ts';
import type { Recording } from '../signaling/src/recording/Recording.ts';
import { RECORDER_DEFAULTS } from '../signaling/src/recording/RecorderTypes.ts';
import type { RecordedTrack } from '../signaling/src/recording/RecorderTypes.ts';
import { SqliteStore } from '../signaling/src/store/SqliteStore.ts';
import { CpuWindow, listProcesses } from './support/procStats.ts';
import type { CpuReport } from './support/procStats.ts';
import { gitCommit, machine, round, sleep, writeResults } from './support/report.ts';

const CLIP_SECONDS = Number(process.env.BENCH_CLIP_SECONDS ?? 10);
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SECONDS ?? 20);
const RECORD_SECONDS = Number(process.env.BENCH_RECORD_SECONDS ?? 60);
const RAMP = (process.env.BENCH_RAMP ?? '2,4,8,16').split(',').map(Number);
const RAMP_SECONDS = Number(process.env.BENCH_RAMP_SECONDS ?? 20);
/** Recordings start with a key frame request and ffmpeg probing its input: not the steady state measured. */
const WARM_UP_MS = 4_000;
const VIDEO_KBPS = 1500;

const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-bench-recording-'));
const clip = path.join(dir, 'camera.webm');

/** The camera-like clip: a moving test picture with sensor-like noise (so the encoder spends its bit rate) and a tone. */
function encodeClip(): void {
  // prettier-ignore
  execFileSync('ffmpeg', [
    '-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30,noise=alls=10:allf=t`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(CLIP_SECONDS),
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '16',
    '-b:v', `${VIDEO_KBPS}k`, '-minrate', `${VIDEO_KBPS}k`, '-maxrate', `${VIDEO_KBPS}k`, '-bufsize', `${VIDEO_KBPS}k`,
    '-g', '60',
    '-c:a', 'libopus', '-b:a', '48k', '-ac', '2',
    clip,
  ]);
}

/** The clip's video and total bit rates (kbit/s), by ffprobe. */
function clipKbps(): { video: number; total: number } {
  const out = execFileSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'format=bit_rate,duration', '-of', 'json', clip],
    { encoding: 'utf8' },
  );
  const format = (JSON.parse(out) as { format: { bit_rate: string } }).format;
  const total = Number(format.bit_rate) / 1000;
  // Opus at 48 kbit/s; the rest is video (and WebM's few bytes of framing).
  return { video: round(total - 48), total: round(total) };
}

/**
 * UDP datagrams the kernel dropped because a socket's receive buffer was full, machine-wide (/proc/net/snmp):
 * the recorder's ffmpeg reads RTP from local UDP ports, and a key frame is a burst.
 */
function udpBufferDrops(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  return Number(values[names.indexOf('RcvbufErrors')]);
}

/** A simulated host: the clip sent as RTP in real time, looped, copied (no encoding). */
function sendClip(to: { ip: string; videoPort: number; audioPort: number }): ChildProcess {
  // prettier-ignore
  return spawn('ffmpeg', [
    '-nostdin', '-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip,
    '-map', '0:v', '-c', 'copy', '-f', 'rtp', '-ssrc', String(VIDEO.ssrc), '-payload_type', String(VIDEO.pt),
    `rtp://${to.ip}:${to.videoPort}?pkt_size=1200`,
    '-map', '0:a', '-c', 'copy', '-f', 'rtp', '-ssrc', String(AUDIO.ssrc), '-payload_type', String(AUDIO.pt),
    `rtp://${to.ip}:${to.audioPort}`,
  ], { stdio: 'ignore' });
}

interface Lesson {
  id: string;
  room: MediaRoom;
  tracks: RecordedTrack[];
  sender: ChildProcess;
}

async function hostLesson(sfu: Sfu, id: string): Promise<Lesson> {
  const room = await sfu.room(id);
  const host = room.peer('host', 'sender');
  const video = await host.createPlainTransport('send');
  const audio = await host.createPlainTransport('send');
  const camera = await host.produce(video.id, 'video', videoRtpParameters, { source: 'camera' });
  const mic = await host.produce(audio.id, 'audio', audioRtpParameters, { source: 'mic' });
  const sender = sendClip({ ip: video.ip, videoPort: video.port, audioPort: audio.port });
  return {
    id,
    room,
    sender,
    tracks: [
      { source: 'camera', kind: 'video', producerId: camera.id },
      { source: 'mic', kind: 'audio', producerId: mic.id },
    ],
  };
}

async function endLesson(lesson: Lesson): Promise<void> {
  const exited = new Promise((resolve) => lesson.sender.once('exit', resolve));
  lesson.sender.kill('SIGKILL');
  await exited;
  lesson.room.close();
}

/** CPU of the worker, the recorder's ffmpeg runs, the senders and this process over a window. */
function groups(sfu: Sfu, lessons: Lesson[]) {
  const senders = new Set(lessons.map((l) => l.sender.pid!));
  const workers = new Set(sfu.workerPids);
  const recorderFfmpeg = listProcesses()
    .filter(
      (p) => p.ppid === process.pid && p.name === 'ffmpeg' && !senders.has(p.pid) && !workers.has(p.pid),
    )
    .map((p) => p.pid);
  return [
    { name: 'mediasoup worker', pids: [...workers] },
    { name: 'recorder ffmpeg', pids: recorderFfmpeg },
    { name: 'senders (simulated hosts)', pids: [...senders] },
    { name: 'node (recorder + harness)', pids: [process.pid] },
  ];
}

async function measure(sfu: Sfu, lessons: Lesson[], seconds: number): Promise<CpuReport> {
  const window = new CpuWindow();
  window.start();
  await sleep(seconds * 1000);
  return window.stop(groups(sfu, lessons));
}

/** Bytes of a recording's files on disk, and the media time its stored segments hold. */
async function written(
  store: SqliteStore,
  recorder: Recorder,
  lessonId: string,
  recordingId: string,
): Promise<{ bytes: number; mediaMs: number; segments: number; storedBytes: number }> {
  const files = recorder.directory(lessonId, recordingId);
  const bytes = readdirSync(files)
    .filter((f) => f.endsWith('.webm'))
    .reduce((sum, f) => sum + statSync(path.join(files, f)).size, 0);
  const segments = await store.listRecordingSegments(recordingId);
  return {
    bytes,
    mediaMs: segments.reduce((s, x) => s + x.durationMs, 0),
    segments: segments.length,
    storedBytes: segments.reduce((s, x) => s + (x.bytes ?? 0), 0),
  };
}

const startedAt = new Date();
const m = machine();
const ffmpegVersion = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0]!;
process.stderr.write(`encoding a ${CLIP_SECONDS} s camera-like clip…\n`);
encodeClip();
const kbps = clipKbps();
process.stderr.write(`clip: ${kbps.total} kbit/s\n`);

const sfu = await testSfu(1);
const store = await SqliteStore.open(dir);
const { recorder } = await Recorder.create({
  ...RECORDER_DEFAULTS,
  store,
  nodeId: 'bench',
  dataDir: dir,
  logger: pino({ level: 'warn' }),
});

interface RampStep {
  lessons: number;
  seconds: number;
  cpu: CpuReport;
  /** Per recorded lesson, % of one core: the recorder's ffmpeg; the worker's whole (receiving included). */
  ffmpegPerLesson: number;
  workerPerLesson: number;
  /** Media the recordings hold per second recorded (1.0: nothing lost). */
  mediaRatio: number;
  /** ffmpeg runs started, all recordings together: one per lesson, more when one ended and was started again. */
  ffmpegRuns: number;
  /** UDP datagrams dropped machine-wide for full receive buffers while the step ran. */
  udpDrops: number;
}

let single: {
  baseline: CpuReport;
  recording: CpuReport;
  recordedSeconds: number;
  disk: Awaited<ReturnType<typeof written>>;
};
const ramp: RampStep[] = [];
try {
  // One lesson: its host sending, first without recording, then recorded.
  const lesson = await hostLesson(sfu, 'lesson-1');
  await sleep(WARM_UP_MS);
  process.stderr.write(`baseline: ${BASELINE_SECONDS} s without recording…\n`);
  const baseline = await measure(sfu, [lesson], BASELINE_SECONDS);
  const recording = await recorder.start(lesson.id, lesson.room, lesson.tracks);
  const t0 = performance.now();
  await sleep(WARM_UP_MS);
  process.stderr.write(`recording: ${RECORD_SECONDS} s…\n`);
  const recordingCpu = await measure(sfu, [lesson], RECORD_SECONDS);
  await recorder.stop(recording);
  const recordedSeconds = (performance.now() - t0) / 1000;
  single = {
    baseline,
    recording: recordingCpu,
    recordedSeconds: round(recordedSeconds),
    disk: await written(store, recorder, lesson.id, recording.id),
  };
  await endLesson(lesson);

  for (const n of RAMP) {
    process.stderr.write(`${n} lessons recorded at once: ${RAMP_SECONDS} s…\n`);
    const lessons = await Promise.all(Array.from({ length: n }, (_, i) => hostLesson(sfu, `ramp-${n}-${i}`)));
    const dropsBefore = udpBufferDrops();
    await sleep(1_000);
    const recordings: Recording[] = [];
    for (const l of lessons) recordings.push(await recorder.start(l.id, l.room, l.tracks));
    const t1 = performance.now();
    await sleep(WARM_UP_MS);
    const cpu = await measure(sfu, lessons, RAMP_SECONDS);
    await Promise.all(recordings.map((r) => recorder.stop(r)));
    const udpDrops = udpBufferDrops() - dropsBefore;
    const seconds = (performance.now() - t1) / 1000;
    let media = 0;
    let runs = 0;
    for (const [i, l] of lessons.entries()) {
      media += (await written(store, recorder, l.id, recordings[i]!.id)).mediaMs / 1000;
      runs += readdirSync(recorder.directory(l.id, recordings[i]!.id)).filter((f) =>
        f.endsWith('.sdp'),
      ).length;
    }
    ramp.push({
      lessons: n,
      seconds: round(RAMP_SECONDS),
      cpu,
      ffmpegPerLesson: round(cpu.groups['recorder ffmpeg']! / n, 2),
      workerPerLesson: round(cpu.groups['mediasoup worker']! / n, 2),
      mediaRatio: round(media / n / seconds, 2),
      ffmpegRuns: runs,
      udpDrops,
    });
    await Promise.all(lessons.map(endLesson));
  }
} finally {
  await recorder.close();
  sfu.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

const ffmpegPercent = single.recording.groups['recorder ffmpeg']!;
const workerExtra = round(
  single.recording.groups['mediasoup worker']! - single.baseline.groups['mediasoup worker']!,
  2,
);
const nodeExtra = round(
  single.recording.groups['node (recorder + harness)']! -
    single.baseline.groups['node (recorder + harness)']!,
  2,
);
/** The recording's own cost, % of one core: its ffmpeg, its consumers in the worker, the recorder's code. */
const perLesson = round(ffmpegPercent + Math.max(0, workerExtra) + Math.max(0, nodeExtra), 2);
const bytesPerHour = (single.disk.bytes / (single.disk.mediaMs / 1000)) * 3600;
const json = {
  benchmark: 'recording a lesson (camera + microphone) on the server',
  date: startedAt.toISOString(),
  commit: gitCommit(),
  command: 'npm run bench:recording',
  machine: m,
  ffmpeg: ffmpegVersion,
  parameters: {
    clipSeconds: CLIP_SECONDS,
    baselineSeconds: BASELINE_SECONDS,
    recordSeconds: RECORD_SECONDS,
    ramp: RAMP,
    rampSeconds: RAMP_SECONDS,
    segmentSeconds: RECORDER_DEFAULTS.segmentSeconds,
  },
  sentKbps: kbps,
  single: {
    ...single,
    cpuPercentOfOneCore: { recorderFfmpeg: ffmpegPercent, workerExtra, nodeExtra, total: perLesson },
    cpuSecondsPerRecordedHour: round((perLesson / 100) * 3600),
    diskMiBPerRecordedHour: round(bytesPerHour / 2 ** 20),
    diskGBPerRecordedHour: round(bytesPerHour / 1e9, 2),
  },
  lessonsPerCore: Math.floor(100 / perLesson),
  ramp,
};
const fmt = (r: CpuReport, name: string): string => String(r.groups[name] ?? 0);
const signed = (x: number): string => (x < 0 ? `−${-x}` : `+${x}`);
const md = [
  '# Recording: CPU and disk per recorded hour, lessons per core',
  '',
  `A camera-like clip (VP8 1280×720 30 fps with sensor-like noise at ${VIDEO_KBPS} kbit/s asked, Opus 48 kbit/s; ${kbps.total} kbit/s sent in all) is sent as RTP without re-encoding (ffmpeg \`-c copy\`, looped, real time) to a real mediasoup worker as a host's camera and microphone; the server's Recorder records it as it records a lesson (PlainTransport consumers into ffmpeg, copied into ${RECORDER_DEFAULTS.segmentSeconds} s WebM segments, a key frame asked per segment). CPU from /proc, in % of one core: the worker without recording (${BASELINE_SECONDS} s) and with it (${RECORD_SECONDS} s after ${WARM_UP_MS / 1000} s of warm-up): their difference is what the recording's consumers cost the worker; the recorder's ffmpeg; this Node process (the recorder's code and the harness). Per-hour figures are extrapolated from that window.`,
  '',
  `- ${json.date}, commit ${json.commit}, \`${json.command}\``,
  `- machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB RAM, Node ${m.node}; ${ffmpegVersion}; load average at start ${m.loadAverageAtStart} (shared with other engineers' work: see "others")`,
  '',
  '## One lesson',
  '',
  '| % of one core | without recording | recording |',
  '|---|---|---|',
  ...['mediasoup worker', 'recorder ffmpeg', 'senders (simulated hosts)', 'node (recorder + harness)'].map(
    (g) => `| ${g} | ${fmt(single.baseline, g)} | ${fmt(single.recording, g)} |`,
  ),
  `| others on the machine | ${single.baseline.othersTotal} | ${single.recording.othersTotal} |`,
  '',
  `- **CPU**: the recording costs ${perLesson} % of one core (ffmpeg ${ffmpegPercent}, worker ${signed(workerExtra)}, Node ${signed(nodeExtra)}; a difference below zero is noise and counts as 0) — **${json.single.cpuSecondsPerRecordedHour} CPU-seconds per recorded hour**.`,
  `- **Disk**: ${round(single.disk.bytes / 2 ** 20, 1)} MiB for ${round(single.disk.mediaMs / 1000, 1)} s of media in ${single.disk.segments} segments (${single.recordedSeconds} s recorded; the stored sizes say ${round(single.disk.storedBytes / 2 ** 20, 1)} MiB) — **${json.single.diskMiBPerRecordedHour} MiB ≈ ${json.single.diskGBPerRecordedHour} GB per recorded hour** at this bit rate (it scales with the host's bit rate: copied, never re-encoded).`,
  `- **Lessons per core**: 100 % ÷ ${perLesson} % ≈ **${json.lessonsPerCore}** (measured per-lesson cost, divided; the ramp below checks it holds as lessons add up).`,
  '',
  `## Lessons recorded at once (${RAMP_SECONDS} s each)`,
  '',
  '| lessons | worker % (all) | recorder ffmpeg % (all) | ffmpeg % per lesson | worker % per lesson (receiving included) | Node % | others % | media recorded per second | ffmpeg runs started | UDP datagrams dropped (full buffers, machine-wide) |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...ramp.map(
    (r) =>
      `| ${r.lessons} | ${fmt(r.cpu, 'mediasoup worker')} | ${fmt(r.cpu, 'recorder ffmpeg')} | ${r.ffmpegPerLesson} | ${r.workerPerLesson} | ${fmt(r.cpu, 'node (recorder + harness)')} | ${r.cpu.othersTotal} | ${r.mediaRatio} | ${r.ffmpegRuns} | ${r.udpDrops} |`,
  ),
  '',
  'The worker column includes receiving each host (a live lesson pays that anyway); the recording adds its consumers (the one-lesson difference above). "Media recorded per second" is the segments\' media time over the time recorded: 1.0 when nothing was lost (a little under: the last segment closes as the recording stops). "ffmpeg runs started": one per lesson when every recording’s ffmpeg started at once; each extra is a run that ended (e.g. no key frame within its probe: this sender ignores PLI and sends one every 2 s) and was started again by the recorder (5 times at most, then the recording stops as failed).',
  '',
].join('\n');
writeResults('recording', json, md);
