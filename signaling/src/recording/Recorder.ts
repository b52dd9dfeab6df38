import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { MediaRoom } from '@cloudschool/sfu';
import type { Recording as StoredRecording, RecordingSegment } from '../store/entities/recordings.ts';
import { placeSegment, runFiles } from './FfmpegRun.ts';
import { Recording } from './Recording.ts';
import { freeMb } from './diskSpace.ts';
import { DiskFullError } from './RecorderTypes.ts';
import type { RecordedTrack, RecorderOptions, RecordingEnd } from './RecorderTypes.ts';
import { readSegmentList, sizeOf, unlistedSegments } from './segments.ts';

/**
 * The recorder of one node: starts recordings of the lessons whose media this node receives, and, made
 * again after the node died, marks the recordings it was writing as interrupted — with every segment on
 * disk stored, the one cut by the crash up to its last playable packet.
 */
export class Recorder {
  readonly #options: RecorderOptions;
  readonly #recordings = new Set<Recording>();
  /** Reads free space while anything records (one disk: DATA_DIR's). */
  #diskTimer: NodeJS.Timeout | undefined;

  /** A recorder; the recordings this node left open (it died) are closed as interrupted first. */
  static async create(
    options: RecorderOptions,
  ): Promise<{ recorder: Recorder; interrupted: StoredRecording[] }> {
    const recorder = new Recorder(options);
    const interrupted = await recorder.#recover();
    return { recorder, interrupted };
  }

  private constructor(options: RecorderOptions) {
    this.#options = options;
  }

  /** Where a recording's files are. */
  directory(lessonId: string, recordingId: string): string {
    return path.join(
      this.#options.dataDir,
      'recordings',
      encodeURIComponent(lessonId),
      encodeURIComponent(recordingId),
    );
  }

  /** Free space (MiB) on the file system recordings are written to. */
  freeMb(): Promise<number> {
    return freeMb(this.#options.statfs, this.#options.dataDir);
  }

  /**
   * Starts recording a lesson's tracks from its media room (on this node). `DiskFullError` below the floor
   * of free space.
   */
  async start(lessonId: string, room: MediaRoom, tracks: readonly RecordedTrack[]): Promise<Recording> {
    const free = await this.freeMb();
    if (free < this.#options.minFreeMb) throw new DiskFullError(free, this.#options.minFreeMb);
    const record: StoredRecording = {
      id: randomUUID(),
      lessonId,
      nodeId: this.#options.nodeId,
      startedAt: Date.now(),
      endedAt: null,
      status: 'recording',
    };
    const dir = this.directory(lessonId, record.id);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await this.#options.store.putRecording(record);
    const recording = Recording.create(record, room, dir, this.#options);
    this.#recordings.add(recording);
    // However it ends (stopped, its ffmpeg lost for good, the disk full), the node forgets it.
    recording.observer.once('stop', () => this.#forget(recording));
    this.#diskTimer ??= setInterval(() => void this.#checkDisk(), this.#options.diskCheckMs);
    try {
      await recording.follow(tracks);
    } catch (error) {
      await this.#stop(recording, 'failed');
      throw error;
    }
    return recording;
  }

  /** Stops a recording (complete). */
  stop(recording: Recording): Promise<StoredRecording> {
    return this.#stop(recording, 'stopped');
  }

  /** Stops every recording of this node, as complete: the node stops. */
  async close(): Promise<void> {
    await Promise.all([...this.#recordings].map((r) => this.#stop(r, 'stopped')));
  }

  async #stop(recording: Recording, reason: RecordingEnd): Promise<StoredRecording> {
    try {
      return await recording.stop(reason);
    } finally {
      this.#forget(recording);
    }
  }

  #forget(recording: Recording): void {
    this.#recordings.delete(recording);
    if (this.#recordings.size === 0 && this.#diskTimer) {
      clearInterval(this.#diskTimer);
      this.#diskTimer = undefined;
    }
  }

  /** Below the floor every recording of this node stops (kept as far as written); lessons are not touched. */
  async #checkDisk(): Promise<void> {
    let free: number;
    try {
      free = await this.freeMb();
    } catch (error) {
      this.#options.logger.error({ err: error }, 'free disk space could not be read');
      return;
    }
    if (free >= this.#options.minFreeMb) return;
    this.#options.logger.error(
      { freeMb: free, minFreeMb: this.#options.minFreeMb, recordings: this.#recordings.size },
      'disk below the floor: recordings stop',
    );
    await Promise.all(
      [...this.#recordings].map((r) =>
        this.#stop(r, 'disk_full').catch((error: unknown) =>
          this.#options.logger.error({ err: error, recordingId: r.id }, 'a recording could not be ended'),
        ),
      ),
    );
  }

  async #recover(): Promise<StoredRecording[]> {
    const { store, nodeId } = this.#options;
    const interrupted: StoredRecording[] = [];
    for (const open of await store.listOpenRecordings(nodeId)) {
      const record = await store.getRecording(open.lessonId, open.recordingId);
      if (!record || record.status !== 'recording') {
        // Ended, but its marker outlived it (a crash between the two writes).
        if (record) await store.putRecording(record);
        continue;
      }
      const segments = await this.#collect(record);
      const end = Math.max(record.startedAt, ...segments.map((s) => s.startedAt + s.durationMs));
      const ended: StoredRecording = { ...record, status: 'interrupted', endedAt: end };
      await store.putRecording(ended);
      interrupted.push(ended);
      this.#options.logger.warn(
        { recordingId: record.id, lessonId: record.lessonId },
        'recording interrupted',
      );
    }
    return interrupted;
  }

  /**
   * Stores the segments on disk the crashed node had not stored yet: the ones ffmpeg listed, and the one it
   * was writing, as far as it plays. Answers all of them.
   */
  async #collect(record: StoredRecording): Promise<RecordingSegment[]> {
    const { store, ffprobe } = this.#options;
    const dir = this.directory(record.lessonId, record.id);
    const stored = await store.listRecordingSegments(record.id);
    const known = new Set(stored.map((s) => s.file));
    let files: string[];
    try {
      files = await readdir(dir);
    } catch {
      return stored;
    }
    const found: RecordingSegment[] = [];
    for (const name of files) {
      const match = /^r(\d+)\.start$/.exec(name);
      if (!match) continue;
      const run = Number(match[1]);
      await outlive(dir, path.join(dir, runFiles.pid(run)));
      const startedAt = Number(await readFile(path.join(dir, name), 'utf8'));
      if (!Number.isSafeInteger(startedAt)) continue;
      const listed = await readSegmentList(path.join(dir, runFiles.list(run)));
      for (const segment of [...listed, ...(await unlistedSegments(ffprobe, dir, run, listed))]) {
        if (!known.has(segment.file) && segment.end > segment.start) {
          const size = await sizeOf(path.join(dir, segment.file));
          found.push({ recordingId: record.id, run, ...placeSegment(startedAt, segment), ...size });
        }
      }
    }
    for (const segment of found) await store.appendRecordingSegment(segment);
    return [...stored, ...found];
  }
}

/** An ffmpeg a dead node left ends ≈ 10 s after its input stopped (SIGTERM by pdeathsig, then its input times out). */
const ORPHAN_WAIT_MS = 15_000;

/**
 * Waits for the ffmpeg whose pid is in `pidFile` — if it still runs in `dir`, finishing the file it was
 * writing when its node died — to end; kills it after ORPHAN_WAIT_MS.
 */
async function outlive(dir: string, pidFile: string): Promise<void> {
  const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
  if (!Number.isSafeInteger(pid) || pid <= 0) return;
  const runsHere = (): Promise<boolean> =>
    readlink(`/proc/${pid}/cwd`).then(
      (cwd) => cwd === dir,
      () => false,
    );
  const until = Date.now() + ORPHAN_WAIT_MS;
  while ((await runsHere()) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (await runsHere()) process.kill(pid, 'SIGKILL');
}
