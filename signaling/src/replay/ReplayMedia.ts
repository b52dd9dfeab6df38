import { execFile } from 'node:child_process';
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { serial } from '@cloudschool/protocol';
import type { RecordedTrack } from '../recording/RecorderTypes.ts';
import { mainVideo, readRunTracks } from '../recording/Recording.ts';
import type { RecordingSegment } from '../store/entities/recordings.ts';

const run = promisify(execFile);

/** A joined run that ffmpeg could not write in this long is given up (the request fails, a later one retries). */
const JOIN_TIMEOUT_MS = 120_000;

export interface ReplayMediaOptions {
  /** Where a recording's files are (Recorder.directory). */
  directory: (lessonId: string, recordingId: string) => string;
  /** ffmpeg's command. */
  ffmpeg: string;
}

/**
 * The replay's media: each ffmpeg run of a recording as one WebM, its 4 s segments joined by ffmpeg's concat
 * demuxer — its main picture copied, its voices mixed (streams()), a fraction of a second per lesson — made on the first request and
 * kept beside the segments as `replay-v2-r<run>-<segment count>.webm` (a run still recording gets a new one once
 * it has more segments; the older one is removed; `v2`: files joined before the main picture was chosen,
 * `replay-r…`, are made again).
 *
 * Why joined rather than the segments served one by one: a browser switching `<video>` sources every 4 s
 * stalls and clicks at each switch, and seeking would need the page to find the file. A run changes only
 * when the recorded sources change (a reload, a share, the stage), so the page switches files rarely.
 * Each segment is placed at its wall-clock start (concat's `duration` = the gap to the next one), so a
 * position in the file is the lesson's time minus the run's start.
 */
export class ReplayMedia {
  readonly #options: ReplayMediaOptions;
  /** One ffmpeg at a time: joining is rare and must not take a core from live lessons. */
  readonly #queue = serial();
  readonly #pending = new Map<string, Promise<string>>();

  constructor(options: ReplayMediaOptions) {
    this.#options = options;
  }

  /** The path of run `runNumber`'s joined WebM, made if need be. `segments`: the recording's, in time order. */
  file(
    lessonId: string,
    recordingId: string,
    runNumber: number,
    segments: readonly RecordingSegment[],
  ): Promise<string> {
    const mine = segments.filter((s) => s.run === runNumber);
    const dir = this.#options.directory(lessonId, recordingId);
    const target = path.join(dir, `replay-v2-r${runNumber}-${mine.length}.webm`);
    const known = this.#pending.get(target);
    if (known) return known;
    const making = this.#queue(async () =>
      this.#join(dir, target, runNumber, mine, await readRunTracks(dir, runNumber)),
    ).finally(() => this.#pending.delete(target));
    this.#pending.set(target, making);
    return making;
  }

  async #join(
    dir: string,
    target: string,
    runNumber: number,
    segments: readonly RecordingSegment[],
    tracks: readonly RecordedTrack[] | null,
  ): Promise<string> {
    if (await exists(target)) return target;
    const list = path.join(dir, `replay-r${runNumber}.ffconcat`);
    const partial = `${target}.part`;
    await writeFile(list, segmentList(dir, segments));
    try {
      await run(
        this.#options.ffmpeg,
        [
          '-nostdin',
          '-v',
          'error',
          '-f',
          'concat',
          '-safe',
          '0',
          '-i',
          list,
          ...streams(tracks),
          '-f',
          'webm',
          '-y',
          partial,
        ],
        { timeout: JOIN_TIMEOUT_MS, cwd: dir },
      );
      await rename(partial, target);
    } finally {
      await rm(list, { force: true });
      await rm(partial, { force: true });
    }
    const older = new RegExp(`^replay-(v2-)?r${runNumber}-\\d+\\.webm$`);
    for (const name of await readdir(dir)) {
      if (older.test(name) && path.join(dir, name) !== target)
        await rm(path.join(dir, name), { force: true });
    }
    return target;
  }
}

/**
 * What the joined file keeps (a page's <video> plays one picture and one voice): the run's main picture
 * (mainVideo: the shared screen, else the host's camera — not the largest, which may be an on-stage
 * classroom's) copied, and its voices — the host's and an on-stage classroom's — mixed into one (Opus,
 * the only stream re-encoded; a lone voice is copied).
 */
function streams(tracks: readonly RecordedTrack[] | null): string[] {
  const { main } = mainVideo(tracks);
  const voices = tracks ? tracks.filter((t) => t.kind === 'audio').length : 1;
  const video = main === null ? [] : ['-map', `0:v:${main}`];
  if (voices <= 1) return [...video, '-map', '0:a:0?', '-c', 'copy'];
  const inputs = Array.from({ length: voices }, (_, i) => `[0:a:${i}]`).join('');
  return [
    ...['-filter_complex', `${inputs}amix=inputs=${voices}:duration=longest:normalize=0[voice]`],
    ...video,
    ...['-map', '[voice]', '-c:v', 'copy', '-c:a', 'libopus', '-b:a', '64k'],
  ];
}

/**
 * ffmpeg's concat list of one run's segments (in `dir`), each placed at its wall-clock start: its duration
 * is the gap to the next one, so a position in the run is the lesson's time minus the run's start.
 */
export function segmentList(dir: string, segments: readonly RecordingSegment[]): string {
  const lines = ['ffconcat version 1.0'];
  segments.forEach((s, i) => {
    const next = segments[i + 1];
    const ms = next ? next.startedAt - s.startedAt : s.durationMs;
    lines.push(`file '${path.join(dir, s.file)}'`, `duration ${(Math.max(ms, 1) / 1000).toFixed(3)}`);
  });
  return `${lines.join('\n')}\n`;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
