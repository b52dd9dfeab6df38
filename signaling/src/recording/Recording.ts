import { EventEmitter } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { MediaRoom } from '@cloudschool/sfu';
import type { Recording as StoredRecording } from '../store/entities/recordings.ts';
import { FfmpegRun } from './FfmpegRun.ts';
import type { ClosedSegment } from './FfmpegRun.ts';
import { RecordingClosedError } from './RecorderTypes.ts';
import { sizeOf } from './segments.ts';
import type {
  RecordedTrack,
  RecorderOptions,
  RecordingEnd,
  RecordingObserverEvents,
} from './RecorderTypes.ts';

/**
 * What run `run` records, its tracks in the order of the file's streams (the SDP's): the export tells the
 * host's camera from a shared screen and an on-stage classroom's by it.
 */
export const runTracksFile = (run: number): string => `r${run}.tracks.json`;

const recordedTracks = z.array(
  z.object({
    source: z.enum(['camera', 'mic', 'screen']),
    kind: z.enum(['audio', 'video']),
    producerId: z.string(),
    classroomId: z.string().optional(),
  }),
);

/** What run `run` in a recording's `dir` recorded; null for a run written before its tracks were. */
export async function readRunTracks(dir: string, run: number): Promise<RecordedTrack[] | null> {
  try {
    const parsed = recordedTracks.safeParse(
      JSON.parse(await readFile(path.join(dir, runTracksFile(run)), 'utf8')),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Which of a run's video streams (by index among them) shows the lesson: the screen the host shared, else
 * the host's camera; with no tracks known, the first. The on-stage classrooms' are the others.
 */
export function mainVideo(tracks: readonly RecordedTrack[] | null): {
  main: number | null;
  screen: number | null;
  host: number | null;
  stage: number[];
} {
  if (!tracks) return { main: 0, screen: null, host: 0, stage: [] };
  const videos = tracks.filter((t) => t.kind === 'video');
  const index = (find: (t: RecordedTrack) => boolean): number | null => {
    const i = videos.findIndex(find);
    return i < 0 ? null : i;
  };
  const screen = index((t) => t.source === 'screen');
  const host = index((t) => t.source === 'camera' && !t.classroomId);
  const stage = videos.flatMap((t, i) => (t.source === 'camera' && t.classroomId ? [i] : []));
  return { main: screen ?? host ?? (videos.length > 0 ? 0 : null), screen, host, stage };
}

/** ffmpeg dying on its own is started again this many times per recording, a second later each time. */
const MAX_RESTARTS = 5;
const RESTART_DELAY_MS = 1_000;

/**
 * One recording of a lesson, made by `Recorder.start()`. It follows the tracks it is given: when they change
 * (the host reloads and publishes again, starts sharing a screen) the ffmpeg run recording the old ones
 * stops and a new run starts, in the same directory and the same recording; every segment is stored with
 * its wall-clock start, so the runs make one timeline. `stop()` (idempotent) ends it as complete, and
 * `observer` emits 'stop' with why (also when it stops by itself: ffmpeg lost too often, the disk full).
 */
export class Recording {
  readonly observer = new EventEmitter<RecordingObserverEvents>();
  readonly #room: MediaRoom;
  readonly #dir: string;
  readonly #options: RecorderOptions;
  #record: StoredRecording;
  #run: FfmpegRun | undefined;
  #runs = 0;
  #restarts = 0;
  #tracks: readonly RecordedTrack[] = [];
  /** Changes, one at a time. */
  #queue: Promise<void> = Promise.resolve();
  /** Segments written to the store, one at a time. */
  #writes: Promise<void> = Promise.resolve();
  #stopped: Promise<StoredRecording> | undefined;
  /** Runs stopped and still finishing their last segment. */
  readonly #ending = new Set<Promise<void>>();

  /** For Recorder: the recording is in the store already, as 'recording'. */
  static create(record: StoredRecording, room: MediaRoom, dir: string, options: RecorderOptions): Recording {
    return new Recording(record, room, dir, options);
  }

  private constructor(record: StoredRecording, room: MediaRoom, dir: string, options: RecorderOptions) {
    this.#record = record;
    this.#room = room;
    this.#dir = dir;
    this.#options = options;
  }

  get id(): string {
    return this.#record.id;
  }

  get record(): StoredRecording {
    return this.#record;
  }

  /** The ffmpeg process writing now (tests kill it). */
  get ffmpegPid(): number | undefined {
    return this.#run?.pid;
  }

  /** Records these tracks from now on (none: waits for some, e.g. while the host reloads). */
  follow(tracks: readonly RecordedTrack[]): Promise<void> {
    if (this.#stopped) return Promise.reject(new RecordingClosedError(`recording ${this.id} stopped`));
    this.#tracks = [...tracks];
    return this.#enqueue(() => this.#switch());
  }

  /** Stops ffmpeg (the open segment is closed and kept) and stores the recording as complete. */
  stop(reason: RecordingEnd = 'stopped'): Promise<StoredRecording> {
    this.#stopped ??= (async () => {
      this.#tracks = [];
      await this.#enqueue(() => this.#switch());
      while (this.#ending.size > 0) await Promise.all([...this.#ending]);
      await this.#writes;
      this.#record = { ...this.#record, status: 'complete', endedAt: Date.now() };
      await this.#options.store.putRecording(this.#record);
      this.observer.emit('stop', reason);
      return this.#record;
    })();
    return this.#stopped;
  }

  #enqueue(change: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(change);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Makes the running ffmpeg record #tracks: left alone if it does, else stopped and maybe replaced. */
  async #switch(): Promise<void> {
    const wanted = this.#tracks.map((t) => t.producerId).sort();
    const running = this.#run?.producerIds.sort() ?? [];
    if (this.#run && wanted.join() === running.join()) return;
    this.#end(this.#run);
    this.#run = undefined;
    if (this.#tracks.length === 0) return;
    if (this.#room.closed) throw new RecordingClosedError(`the room of recording ${this.id} closed`);
    const run = this.#runs++;
    await writeFile(path.join(this.#dir, runTracksFile(run)), JSON.stringify(this.#tracks));
    this.#run = await FfmpegRun.start({
      room: this.#room,
      tracks: this.#tracks,
      dir: this.#dir,
      recordingId: this.id,
      run,
      options: this.#options,
      onSegment: (segment) => this.#store(run, segment),
      onExit: (code, signal) => this.#lost(run, code, signal),
    });
  }

  /**
   * Stops a run without waiting for it: the next one starts at once. An ffmpeg whose producers are gone
   * (the host reloaded) ends only when its input times out (≈ 10 s), closing its last segment then.
   */
  #end(run: FfmpegRun | undefined): void {
    if (!run) return;
    const ending = run.stop().finally(() => this.#ending.delete(ending));
    this.#ending.add(ending);
  }

  #store(run: number, segment: ClosedSegment): void {
    this.#writes = this.#writes
      .then(async () => {
        const size = await sizeOf(path.join(this.#dir, segment.file));
        await this.#options.store.appendRecordingSegment({ recordingId: this.id, run, ...segment, ...size });
      })
      .catch((error: unknown) =>
        this.#options.logger.error({ err: error, recordingId: this.id }, 'a segment was not stored'),
      );
  }

  /** ffmpeg ended by itself: what it wrote is kept, and a new run takes over (a few times at most). */
  #lost(run: number, code: number | null, signal: NodeJS.Signals | null): void {
    this.#options.logger.warn({ recordingId: this.id, run, code, signal }, 'the recording ffmpeg ended');
    if (this.#stopped) return;
    if (this.#restarts >= MAX_RESTARTS) {
      void this.stop('failed').catch((error: unknown) =>
        this.#options.logger.error({ err: error, recordingId: this.id }, 'the recording could not be ended'),
      );
      return;
    }
    this.#restarts++;
    setTimeout(() => {
      if (this.#stopped) return;
      void this.#enqueue(async () => {
        if (this.#run?.run === run) {
          this.#end(this.#run);
          this.#run = undefined;
        }
        await this.#switch();
      }).catch((error: unknown) =>
        this.#options.logger.error({ err: error, recordingId: this.id }, 'the recording could not go on'),
      );
    }, RESTART_DELAY_MS);
  }
}
