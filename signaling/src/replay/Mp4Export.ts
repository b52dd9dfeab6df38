import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BoardOp } from '@cloudschool/board';
import type { ReplayExport } from '@cloudschool/protocol';
import type { Courseware } from '../board/Courseware.ts';
import type { Logger } from '../logger.ts';
import type { RecordedTrack } from '../recording/RecorderTypes.ts';
import { mainVideo, readRunTracks } from '../recording/Recording.ts';
import type { RecordingSegment } from '../store/entities/recordings.ts';
import { renderBoardFrames } from './boardFrames.ts';
import { CoursewarePages } from './CoursewarePages.ts';
import { segmentList } from './ReplayMedia.ts';

/** The exported video: 720p at 25 fps, the board (or the shared screen) filling it, cameras in a corner. */
const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 25;
const INSET_WIDTH = 320;
const INSET_HEIGHT = 180;
const INSET_MARGIN = 16;
/** At most this many on-stage classrooms' cameras beside the host's. */
const MAX_STAGE_INSETS = 2;
/** Board changes closer than this are one picture. */
const BOARD_MIN_GAP_MS = 200;
/** Drawing the board's pictures counts for this share of the progress, encoding for the rest. */
const BOARD_SHARE = 0.1;
const SURROUND = '0x1b1f24';
/** Below other processes: live lessons first. */
const NICENESS = '10';

/** One ffmpeg run of the recording, placed at its wall-clock start. */
export interface ExportPart {
  startedAt: number;
  durationMs: number;
  /** Its segments, in time order. (Not the replay's joined WebM: that keeps one video stream.) */
  segments: readonly RecordingSegment[];
  /** Its streams in file order, as the recorder wrote them; null for a recording made before they were. */
  tracks: readonly RecordedTrack[] | null;
}

export interface ExportSource {
  lessonId: string;
  recordingId: string;
  /** The replay's span (wall-clock ms): the video's 0 is `startedAt`. */
  startedAt: number;
  endedAt: number;
  parts: readonly ExportPart[];
  /** The board's whole history (the replay's). */
  board: readonly BoardOp[];
}

export interface Mp4ExportOptions {
  /** Where a recording's files are (Recorder.directory): its export goes beside them. */
  directory: (lessonId: string, recordingId: string) => string;
  ffmpeg: string;
  courseware: Courseware;
  logger: Logger;
}

type Job = { state: 'queued' | 'running' | 'failed'; progress: number };

/**
 * Recordings exported as one MP4 for teachers who want a file: the board redrawn by the shared painter (its
 * courseware behind it) or the screen the host shared fills the picture, the host's camera and the
 * on-stage classrooms' in the lower right corner, every voice mixed; H.264 + AAC, `+faststart` so it plays
 * while downloading. Made in the background, one at a time and niced (a core is worth more to the live
 * lessons), kept beside the recording as `export.mp4` (what a restart finds there is done; an export cut
 * by a restart is simply not there, and is asked for again).
 */
export class Mp4Exports {
  readonly #options: Mp4ExportOptions;
  readonly #jobs = new Map<string, Job>();
  #queue: Promise<void> = Promise.resolve();
  #running: ChildProcess | null = null;
  #closed = false;

  constructor(options: Mp4ExportOptions) {
    this.#options = options;
  }

  file(lessonId: string, recordingId: string): string {
    return path.join(this.#options.directory(lessonId, recordingId), 'export.mp4');
  }

  /** What run `run` of a recording recorded (its tracks file); null for a run written before they were. */
  tracksOf(lessonId: string, recordingId: string, run: number): Promise<RecordedTrack[] | null> {
    return readRunTracks(this.#options.directory(lessonId, recordingId), run);
  }

  /** How far its export is (`url` is the route's to fill). */
  async status(lessonId: string, recordingId: string): Promise<Omit<ReplayExport, 'url'>> {
    const job = this.#jobs.get(key(lessonId, recordingId));
    if (job) return { state: job.state, progress: job.progress, bytes: null };
    try {
      const { size } = await stat(this.file(lessonId, recordingId));
      return { state: 'done', progress: 1, bytes: size };
    } catch {
      return { state: 'none', progress: 0, bytes: null };
    }
  }

  /** Starts the export unless it is made or being made; its status follows. */
  async start(source: ExportSource): Promise<Omit<ReplayExport, 'url'>> {
    const now = await this.status(source.lessonId, source.recordingId);
    if (now.state !== 'none' && now.state !== 'failed') return now;
    const job: Job = { state: 'queued', progress: 0 };
    const id = key(source.lessonId, source.recordingId);
    this.#jobs.set(id, job);
    this.#queue = this.#queue.then(async () => {
      try {
        if (this.#closed) throw new Error('closed');
        job.state = 'running';
        await this.#make(source, job);
        this.#jobs.delete(id);
      } catch (error) {
        job.state = 'failed';
        if (!this.#closed) this.#options.logger.warn({ err: error, id }, 'an MP4 export failed');
      }
    });
    return { state: job.state, progress: 0, bytes: null };
  }

  /** Stops the running export (its partial file is removed) and starts no other. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#running?.kill('SIGKILL');
    await this.#queue;
  }

  async #make(source: ExportSource, job: Job): Promise<void> {
    const target = this.file(source.lessonId, source.recordingId);
    const work = `${target}.work`;
    const partial = `${target}.part`;
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    const pages = new CoursewarePages(this.#options.courseware, source.lessonId);
    try {
      const board = await renderBoardFrames({
        ops: source.board,
        from: source.startedAt,
        to: source.endedAt,
        width: WIDTH,
        height: HEIGHT,
        dir: work,
        background: (bg) => pages.page(bg),
        minGapMs: BOARD_MIN_GAP_MS,
        progress: (done) => (job.progress = done * BOARD_SHARE),
      });
      const dir = this.#options.directory(source.lessonId, source.recordingId);
      const lists = await Promise.all(
        source.parts.map(async (part, n) => {
          const list = path.join(work, `part-${n}.ffconcat`);
          await writeFile(list, segmentList(dir, part.segments));
          return list;
        }),
      );
      const args = ffmpegArgs(source, board.list, lists, partial);
      await this.#ffmpeg(args, work, (seconds) => {
        const total = (source.endedAt - source.startedAt) / 1000;
        job.progress = BOARD_SHARE + (1 - BOARD_SHARE) * Math.min(1, seconds / Math.max(total, 0.001));
      });
      await rename(partial, target);
    } finally {
      await pages.close();
      await rm(work, { recursive: true, force: true });
      await rm(partial, { force: true });
    }
  }

  #ffmpeg(args: string[], cwd: string, progress: (seconds: number) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn('nice', ['-n', NICENESS, this.#options.ffmpeg, ...args], {
        cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.#running = child;
      let said = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => (said = (said + text).slice(-2000)));
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (text: string) => {
        // -progress pipe:1 prints key=value lines; out_time_us is how far the output is.
        for (const match of text.matchAll(/out_time_us=(\d+)/g)) progress(Number(match[1]) / 1e6);
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        this.#running = null;
        if (code === 0) resolve();
        else reject(new Error(`ffmpeg ended with ${code ?? signal}: ${said}`));
      });
    });
  }
}

const key = (lessonId: string, recordingId: string): string => `${lessonId}/${recordingId}`;

/**
 * ffmpeg's command: input 0 is the board's pictures, input 1 + n part n's segments, each placed at its start
 * (setpts / adelay by its offset) and shown only while it lasts (overlay: nothing before its first frame,
 * `eof_action=pass` after its last).
 */
function ffmpegArgs(
  source: ExportSource,
  boardList: string,
  lists: readonly string[],
  output: string,
): string[] {
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  const total = seconds(source.endedAt - source.startedAt);
  const filters = [`[0:v]fps=${FPS},scale=${WIDTH}:${HEIGHT},setsar=1,format=yuv420p[v0]`];
  const audio: string[] = [];
  let base = 'v0';
  let n = 0;
  const overlay = (input: string, x: number, y: number, from: string, to: string): void => {
    const next = `v${++n}`;
    filters.push(
      `[${base}][${input}]overlay=x=${x}:y=${y}:eof_action=pass:enable='between(t,${from},${to})'[${next}]`,
    );
    base = next;
  };
  source.parts.forEach((part, p) => {
    const input = p + 1;
    const offset = seconds(part.startedAt - source.startedAt);
    const end = seconds(part.startedAt - source.startedAt + part.durationMs);
    const tracks = part.tracks;
    const audioCount = tracks ? tracks.filter((t) => t.kind === 'audio').length : 1;
    const placed = (stream: string, label: string, size: string): string => {
      filters.push(`[${input}:${stream}]setpts=PTS+${offset}/TB,${size},setsar=1[${label}]`);
      return label;
    };
    const fit = (w: number, h: number): string =>
      `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=${SURROUND}`;
    const { screen, host, stage: onStage } = mainVideo(part.tracks);
    const stage = onStage.slice(0, MAX_STAGE_INSETS);
    if (screen !== null) overlay(placed(`v:${screen}`, `s${p}`, fit(WIDTH, HEIGHT)), 0, 0, offset, end);
    const insets = [host, ...stage].filter((i): i is number => i !== null);
    insets.forEach((v, slot) => {
      const x = WIDTH - (INSET_WIDTH + INSET_MARGIN) * (slot + 1);
      overlay(
        placed(`v:${v}`, `c${p}_${slot}`, fit(INSET_WIDTH, INSET_HEIGHT)),
        x,
        HEIGHT - INSET_HEIGHT - INSET_MARGIN,
        offset,
        end,
      );
    });
    for (let a = 0; a < audioCount; a++) {
      // async=1 fills what the file lacks (before its first packet, a gap) with silence, so adelay places it.
      const label = `a${p}_${a}`;
      const delay = Math.round(part.startedAt - source.startedAt);
      filters.push(`[${input}:a:${a}]aresample=48000:async=1:first_pts=0,adelay=${delay}:all=1[${label}]`);
      audio.push(label);
    }
  });
  if (audio.length === 0) filters.push(`anullsrc=r=48000:cl=stereo[aout]`);
  else
    filters.push(
      `${audio.map((a) => `[${a}]`).join('')}amix=inputs=${audio.length}:duration=longest:normalize=0[aout]`,
    );
  return [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'concat',
    '-safe',
    '0',
    '-i',
    boardList,
    ...lists.flatMap((list) => ['-f', 'concat', '-safe', '0', '-i', list]),
    '-filter_complex',
    filters.join(';'),
    '-map',
    `[${base}]`,
    '-map',
    '[aout]',
    '-t',
    total,
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '26',
    '-pix_fmt',
    'yuv420p',
    '-r',
    String(FPS),
    '-c:a',
    'aac',
    '-b:a',
    '96k',
    '-movflags',
    '+faststart',
    '-progress',
    'pipe:1',
    '-nostats',
    '-f',
    'mp4',
    '-y',
    output,
  ];
}
