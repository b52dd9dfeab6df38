/**
 * npm run bench:export — what exporting a recording as one MP4 costs (replay/Mp4Export.ts): wall time and
 * CPU per recorded hour, and the file's size. A recording as the recorder leaves it (4 s WebM segments of a
 * camera-like VP8 1280×720 ≈ 1.5 Mbit/s with Opus) of EXPORT_SECONDS, a lesson's board over it (a 10-page
 * PDF as courseware, a stroke every 2 s, a page turn every 30 s), exported by the server's own exporter.
 * CPU from /proc: this process (drawing the board) and its waited children (ffmpeg). Writes
 * bench/results/export.{md,json}.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from '@napi-rs/canvas';
import { pino } from 'pino';
import type { BoardOp, BoardOpBody } from '@cloudschool/board';
import { Courseware } from '../signaling/src/board/Courseware.ts';
import { Mp4Exports } from '../signaling/src/replay/Mp4Export.ts';
import type { RecordingSegment } from '../signaling/src/store/entities/recordings.ts';
import { gitCommit, machine, round, writeResults } from './support/report.ts';

const SECONDS = Number(process.env.BENCH_EXPORT_SECONDS ?? 300);
const VIDEO_KBPS = 1500;
const LESSON = 'bench-export';
const RECORDING = 'rec-bench';
const FILE = '0b8e5f1a-3c2d-4e5f-8a9b-1c2d3e4f5a6b';
const PAGES = 10;

const root = mkdtempSync(path.join(os.tmpdir(), 'cs-bench-export-'));
const recordingDir = path.join(root, 'recordings', LESSON, RECORDING);
mkdirSync(recordingDir, { recursive: true });
mkdirSync(path.join(root, 'courseware', LESSON), { recursive: true });

/** A PDF like a converted deck: a title, a line of text and a coloured block on each page. */
function courseware(): Buffer {
  const doc = new PDFDocument();
  for (let n = 1; n <= PAGES; n++) {
    const ctx = doc.beginPage(960, 540);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, 960, 540);
    ctx.fillStyle = '#1f2328';
    ctx.font = 'bold 48px "Noto Sans CJK SC", sans-serif';
    ctx.fillText(`第 ${n} 页 · 分数的加法`, 60, 110);
    ctx.font = '28px "Noto Sans CJK SC", sans-serif';
    ctx.fillText(`例题 ${n}：1/${n + 1} + 1/${n + 2} = ?`, 60, 200);
    ctx.fillStyle = '#2e86de';
    ctx.fillRect(60 + n * 50, 300, 160, 160);
    doc.endPage();
  }
  return doc.close();
}

/** The recording's segments, as the recorder leaves them (one run), and their records. */
function record(): RecordingSegment[] {
  // prettier-ignore
  execFileSync('ffmpeg', [
    '-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30,noise=alls=10:allf=t',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(SECONDS),
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '16', '-b:v', `${VIDEO_KBPS}k`, '-g', '120',
    '-c:a', 'libopus', '-b:a', '48k', '-ac', '2',
    '-f', 'segment', '-segment_time', '4', '-segment_format', 'webm', '-reset_timestamps', '1',
    '-segment_list', 'r0.csv', '-segment_list_type', 'csv', 'r0-%05d.webm',
  ], { cwd: recordingDir });
  writeFileSync(
    path.join(recordingDir, 'r0.tracks.json'),
    JSON.stringify([
      { source: 'camera', kind: 'video', producerId: 'cam' },
      { source: 'mic', kind: 'audio', producerId: 'mic' },
    ]),
  );
  return readFileSync(path.join(recordingDir, 'r0.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [file, start, end] = line.split(',');
      return {
        recordingId: RECORDING,
        run: 0,
        file: file!,
        startedAt: T0 + Math.round(Number(start) * 1000),
        durationMs: Math.round((Number(end) - Number(start)) * 1000),
      };
    });
}

const T0 = 1_800_000_000_000;

/** The lesson's board: the deck's pages, a stroke every 2 s, the next page every 30 s. */
function board(): BoardOp[] {
  const bodies: [number, BoardOpBody][] = [
    [-1_000, { type: 'background', pageId: 'p0', background: { fileId: FILE, page: 1 } }],
  ];
  // A page added is shown at once; its id is `p<its op's seq>`.
  let pageId = 'p0';
  for (let s = 2; s < SECONDS; s += 2) {
    if (s % 30 === 0) {
      const page = ((s / 30) % PAGES) + 1;
      bodies.push([s * 1000, { type: 'page:add', after: pageId, background: { fileId: FILE, page } }]);
      pageId = `p${bodies.length}`;
      continue;
    }
    const y = 200 + ((s * 37) % 500);
    bodies.push([
      s * 1000,
      {
        type: 'stroke',
        strokeId: `s${s}`,
        pageId,
        tool: 'pen',
        color: '#e03131',
        width: 6,
        points: Array.from(
          { length: 40 },
          (_, i) => [300 + i * 20, y + Math.sin(i / 3) * 30, 0.5] as [number, number, number],
        ),
      },
    ]);
  }
  return bodies.map(([ms, op], i) => ({ seq: i + 1, at: T0 + ms, by: 'host', op }));
}

/** This process's CPU seconds, and its waited children's (ffmpeg), from /proc. */
function cpu(): { self: number; children: number } {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const tick = 100; // USER_HZ
  const at = (i: number): number => Number(fields[i - 3]) / tick;
  return { self: at(14) + at(15), children: at(16) + at(17) };
}

writeFileSync(path.join(root, 'courseware', LESSON, FILE), courseware());
const segments = record();
const ops = board();
const exporter = new Mp4Exports({
  directory: () => recordingDir,
  ffmpeg: 'ffmpeg',
  courseware: new Courseware(path.join(root, 'courseware')),
  logger: pino({ level: 'silent' }),
});
const endedAt = Math.max(...segments.map((s) => s.startedAt + s.durationMs));
const before = cpu();
const started = performance.now();
await exporter.start({
  lessonId: LESSON,
  recordingId: RECORDING,
  startedAt: T0,
  endedAt,
  parts: [
    {
      startedAt: T0,
      durationMs: endedAt - T0,
      segments,
      tracks: await exporter.tracksOf(LESSON, RECORDING, 0),
    },
  ],
  board: ops,
});
let status = await exporter.status(LESSON, RECORDING);
let boardDoneAt: number | null = null;
while (status.state === 'queued' || status.state === 'running') {
  await new Promise((r) => setTimeout(r, 200));
  status = await exporter.status(LESSON, RECORDING);
  if (boardDoneAt === null && status.progress > 0.1) boardDoneAt = performance.now();
}
const wallSeconds = (performance.now() - started) / 1000;
const after = cpu();
if (status.state !== 'done') throw new Error(`the export ended ${status.state}`);
const file = exporter.file(LESSON, RECORDING);
const bytes = statSync(file).size;
const probe = JSON.parse(
  execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name,width,height,avg_frame_rate:format=duration',
      '-of',
      'json',
      file,
    ],
    {
      encoding: 'utf8',
    },
  ),
) as { streams: { codec_name: string }[]; format: { duration: string } };
const recordedSeconds = (endedAt - T0) / 1000;
const perHour = (x: number): number => round((x / recordedSeconds) * 3600);
const drawSeconds = after.self - before.self;
const ffmpegSeconds = after.children - before.children;
const m = machine();
const json = {
  date: new Date().toISOString(),
  commit: gitCommit(),
  command: 'npm run bench:export',
  machine: m,
  recordedSeconds,
  boardOps: ops.length,
  wallSeconds: round(wallSeconds),
  cpuSeconds: { drawingBoard: round(drawSeconds), ffmpeg: round(ffmpegSeconds) },
  perRecordedHour: {
    wallMinutes: round(perHour(wallSeconds) / 60),
    cpuSeconds: perHour(drawSeconds + ffmpegSeconds),
    mp4MB: round(((bytes / recordedSeconds) * 3600) / 1e6),
  },
  mp4: { bytes, duration: Number(probe.format.duration), streams: probe.streams },
};
const md = [
  '# Export: one MP4 of a recording',
  '',
  `A recording as the recorder leaves it (4 s WebM segments: VP8 1280×720 30 fps with sensor-like noise at ${VIDEO_KBPS} kbit/s, Opus) of ${recordedSeconds} s, and a lesson's board over it (a ${PAGES}-page PDF as courseware, a stroke every 2 s, a new page every 30 s: ${ops.length} operations), exported by the server's exporter (\`signaling/src/replay/Mp4Export.ts\`: the board drawn at each change, then one niced ffmpeg composing 1280×720 H.264 \`veryfast\` CRF 26 + AAC 96 kbit/s at 25 fps). CPU from /proc: this process (drawing the board with @napi-rs/canvas, the harness) and ffmpeg.`,
  '',
  `- ${json.date}, commit ${json.commit}, \`${json.command}\` (BENCH_EXPORT_SECONDS=${SECONDS})`,
  `- machine: ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB RAM, Node ${m.node}; load average at start ${m.loadAverageAtStart} (shared with other work)`,
  '',
  '| | measured | per recorded hour |',
  '|---|---|---|',
  `| wall time | ${json.wallSeconds} s (board drawn in ${boardDoneAt === null ? '–' : round((boardDoneAt - started) / 1000)} s) | ${json.perRecordedHour.wallMinutes} min |`,
  `| CPU: drawing the board | ${json.cpuSeconds.drawingBoard} s | ${perHour(drawSeconds)} s |`,
  `| CPU: ffmpeg | ${json.cpuSeconds.ffmpeg} s | ${perHour(ffmpegSeconds)} s |`,
  `| MP4 size | ${round(bytes / 1e6)} MB | ${json.perRecordedHour.mp4MB} MB |`,
  '',
  `The file: ${probe.streams.map((s) => s.codec_name).join(' + ')}, ${round(Number(probe.format.duration))} s. One export runs at a time on a node, under \`nice\`: on a machine with live lessons it takes longer, and leaves them the cores first.`,
  '',
].join('\n');
writeResults('export', json, md);
rmSync(root, { recursive: true, force: true });
