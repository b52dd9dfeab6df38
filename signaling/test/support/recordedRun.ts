import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RecordingStore } from '../../src/store/Store.ts';

const run = promisify(execFile);

export interface RecordedRunSpec {
  store: RecordingStore;
  /** The recording's directory (Recorder.directory). */
  dir: string;
  recordingId: string;
  run: number;
  /** Wall-clock ms of the run's zero. */
  startedAt: number;
  seconds: number;
  /** ffmpeg's inputs (e.g. lavfi sources) and, when more than one video or audio, the streams to keep. */
  inputs: readonly string[];
  maps?: readonly string[];
}

/**
 * One ffmpeg run of a recording as the recorder leaves it — VP8 + Opus WebM segments of 4 s, listed in
 * `r<n>.csv` — with its segments stored at their wall-clock starts: real media for the replay's and the
 * export's tests without a live lesson.
 */
export async function recordRun(spec: RecordedRunSpec): Promise<void> {
  const n = spec.run;
  await run(
    'ffmpeg',
    [
      ...['-v', 'error', ...spec.inputs, ...(spec.maps ?? []).flatMap((m) => ['-map', m])],
      ...['-t', String(spec.seconds), '-c:v', 'libvpx', '-g', '10', '-c:a', 'libopus', '-f', 'segment'],
      ...['-segment_time', '4', '-segment_format', 'webm', '-reset_timestamps', '1'],
      ...['-segment_list', `r${n}.csv`, '-segment_list_type', 'csv', `r${n}-%05d.webm`],
    ],
    { cwd: spec.dir },
  );
  const lines = readFileSync(path.join(spec.dir, `r${n}.csv`), 'utf8')
    .trim()
    .split('\n');
  for (const line of lines) {
    const [file, start, end] = line.split(',');
    await spec.store.appendRecordingSegment({
      recordingId: spec.recordingId,
      run: n,
      file: file!,
      startedAt: spec.startedAt + Math.round(Number(start) * 1000),
      durationMs: Math.round((Number(end) - Number(start)) * 1000),
    });
  }
}
