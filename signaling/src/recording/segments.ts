import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A segment ffmpeg closed, as its segment list (CSV) says: seconds from the start of its run. */
export interface ListedSegment {
  file: string;
  start: number;
  end: number;
}

/** A closed segment's size on disk, kept with it (the library shows a recording's size): {} if it is gone. */
export async function sizeOf(file: string): Promise<{ bytes?: number }> {
  try {
    return { bytes: (await stat(file)).size };
  } catch {
    return {};
  }
}

/** The segments ffmpeg listed so far (`-segment_list_type csv`: one `file,start,end` line per closed file). */
export async function readSegmentList(csvPath: string): Promise<ListedSegment[]> {
  let text: string;
  try {
    text = await readFile(csvPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const listed: ListedSegment[] = [];
  // A line without its newline may still be being written.
  for (const line of text.split('\n').slice(0, -1)) {
    const [file, start, end] = line.split(',');
    const from = Number(start);
    const to = Number(end);
    if (file && Number.isFinite(from) && Number.isFinite(to)) listed.push({ file, start: from, end: to });
  }
  return listed;
}

/**
 * How many seconds of a file can be played: the end of its last whole packet, read packet by packet (a file
 * cut by a crash has no duration in its header). 0 if ffprobe can read nothing of it.
 */
export async function playableSeconds(ffprobe: string, file: string): Promise<number> {
  try {
    const { stdout } = await run(
      ffprobe,
      ['-v', 'error', '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', file],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    let end = 0;
    for (const line of stdout.split('\n')) {
      const [pts, duration] = line.split(',').map(Number);
      if (pts !== undefined && Number.isFinite(pts))
        end = Math.max(end, pts + (Number.isFinite(duration) ? (duration ?? 0) : 0));
    }
    return end;
  } catch {
    return 0;
  }
}

/**
 * The files of run `run` ffmpeg did not list (it was killed while writing one) that still play, each placed
 * after the last listed one: its seconds from the start of the run.
 */
export async function unlistedSegments(
  ffprobe: string,
  dir: string,
  run: number,
  listed: readonly ListedSegment[],
): Promise<ListedSegment[]> {
  const named = new RegExp(`^r${run}-\\d+\\.webm$`);
  const listedFiles = new Set(listed.map((s) => s.file));
  let start = listed.at(-1)?.end ?? 0;
  const found: ListedSegment[] = [];
  for (const file of (await readdir(dir)).filter((f) => named.test(f) && !listedFiles.has(f)).sort()) {
    const seconds = await playableSeconds(ffprobe, path.join(dir, file));
    if (seconds <= 0) continue;
    found.push({ file, start, end: start + seconds });
    start += seconds;
  }
  return found;
}
