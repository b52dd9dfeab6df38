import { EventEmitter } from 'node:events';
import { serial } from '@cloudschool/protocol';
import type { LessonRecordingState } from '@cloudschool/protocol';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Recorder } from '../recording/Recorder.ts';
import { DiskFullError, RecordingClosedError } from '../recording/RecorderTypes.ts';
import type { RecordedTrack, RecordingEnd } from '../recording/RecorderTypes.ts';
import type { Recording } from '../recording/Recording.ts';
import type { LessonMedia, Track } from './LessonMedia.ts';

export const RECORDING_OFF: LessonRecordingState = { status: 'off', startedAt: null, problem: null };

/**
 * Tracks come and go in bursts (a reload closes camera and mic, then publishes both again; a stage change
 * adds a camera and a mic): the recording follows the set once it settled this long, as one new ffmpeg run.
 */
const FOLLOW_SETTLE_MS = 300;
/** A run that could not start is tried this many times in all, this long apart. */
const FOLLOW_ATTEMPTS = 3;
const FOLLOW_RETRY_MS = 1_000;

export interface LessonRecordingEvents {
  /**
   * Started, stopped by someone, or stopped by the server (`problem`): every page is told. `here`: by
   * this node's recording (other nodes are to be told), not heard from another node.
   */
  changed: [state: LessonRecordingState, here: boolean];
}

export interface LessonRecordingDeps {
  lessonId: string;
  /** This node's recorder; without one (tests of other parts) nothing is recorded here. */
  recorder: Recorder | undefined;
  media: LessonMedia;
  /**
   * The host teacher's media is received by another node (its camera's or microphone's, else its page's
   * node is another).
   */
  hostElsewhere: () => boolean;
  log: Logger;
}

/**
 * The recording of a live lesson: the main media — the host's camera, microphone and shared screen, and
 * on-stage classrooms' cameras and microphones — as one recording that follows them (a host reload, a share,
 * a stage change start a new ffmpeg run of the same recording, which asks for key frames as it starts).
 *
 * It runs on the node that receives the host's media (its producers are there; on-stage classrooms received
 * elsewhere are brought over like any consumer's track); a start or stop on another node is refused as
 * `recording_elsewhere`, and every node learns the state (`hear`). `close()` stops it (idempotent).
 */
export class LessonRecording extends EventEmitter<LessonRecordingEvents> {
  readonly #deps: LessonRecordingDeps;
  /** Start, stop and follow, one at a time. */
  readonly #serial = serial();
  #recording: Recording | undefined;
  #state: LessonRecordingState = RECORDING_OFF;
  #settle: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(deps: LessonRecordingDeps) {
    super();
    this.#deps = deps;
  }

  get state(): LessonRecordingState {
    return this.#state;
  }

  /** The recording this node writes (tests read its id and ffmpeg). */
  get recording(): Recording | undefined {
    return this.#recording;
  }

  /** Starts recording (already recording: nothing changes). */
  start(): Promise<LessonRecordingState> {
    return this.#serial(async () => {
      if (this.#closed) throw new AppError('lesson_closed', 'the lesson is over');
      if (this.#recording) return this.#state;
      const { recorder, media, lessonId, log } = this.#deps;
      this.#here();
      if (!recorder) throw new AppError('recording_elsewhere', 'this server does not record');
      const tracks = media.mainMedia();
      let recording: Recording;
      try {
        recording = await recorder.start(lessonId, await media.roomWith(tracks), recordedTracks(tracks));
      } catch (error) {
        if (error instanceof DiskFullError) {
          this.#set({ status: 'off', startedAt: null, problem: 'disk_full' });
          throw new AppError('disk_full', error.message, { freeMb: error.freeMb });
        }
        throw error;
      }
      this.#recording = recording;
      recording.observer.once('stop', (reason) => this.#ended(recording, reason));
      log.info({ recordingId: recording.id }, 'recording started');
      this.#set({
        status: 'recording',
        startedAt: new Date(recording.record.startedAt).toISOString(),
        problem: null,
      });
      return this.#state;
    });
  }

  /** Stops the recording (none: nothing changes); what was recorded is kept. */
  stop(): Promise<LessonRecordingState> {
    return this.#serial(async () => {
      if (!this.#recording && this.#state.status === 'recording') this.#here();
      await this.#stopOwn();
      return this.#state;
    });
  }

  /** The main media changed (tracks, stage): the recording follows, once the change settled. */
  follow(): void {
    if (!this.#recording || this.#closed) return;
    clearTimeout(this.#settle);
    this.#settle = setTimeout(() => this.#follow(0), FOLLOW_SETTLE_MS);
  }

  /**
   * Makes the recording record the main media as it is now. A new ffmpeg that could not start (a loaded
   * machine: it did not listen in time) is tried again a few times before the recording ends as `failed`.
   */
  #follow(attempt: number): void {
    void this.#serial(async () => {
      const recording = this.#recording;
      if (!recording) return;
      const tracks = this.#deps.media.mainMedia();
      await this.#deps.media.roomWith(tracks);
      await recording.follow(recordedTracks(tracks));
    }).catch((err: unknown) => {
      // Stopped meanwhile (the disk filled up: that reason stays) or its room gone (a worker died): it ends.
      const closed = err instanceof RecordingClosedError;
      if (!closed && attempt < FOLLOW_ATTEMPTS - 1 && this.#recording && !this.#closed) {
        this.#deps.log.warn({ err, attempt }, 'the recording could not follow the lesson’s media: again');
        this.#settle = setTimeout(() => this.#follow(attempt + 1), FOLLOW_RETRY_MS);
        return;
      }
      if (!closed) this.#deps.log.error({ err }, 'the recording could not follow the lesson’s media');
      // What was recorded is kept.
      const recording = this.#recording;
      if (recording) void recording.stop('failed').catch(() => undefined);
    });
  }

  /** Another node that records the lesson told its state. */
  hear(state: LessonRecordingState): void {
    if (!this.#recording) this.#set(state, false);
  }

  /** Stops this node's recording (the lesson closes or ended here); idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#settle);
    await this.#serial(() => this.#stopOwn());
  }

  async #stopOwn(): Promise<void> {
    if (this.#recording) await this.#deps.recorder?.stop(this.#recording);
  }

  /** Refuses unless the host's media is received here (or nowhere yet). */
  #here(): void {
    if (this.#deps.hostElsewhere()) {
      throw new AppError('recording_elsewhere', 'the host’s media is received by another node');
    }
  }

  #ended(recording: Recording, reason: RecordingEnd): void {
    if (this.#recording !== recording) return;
    this.#recording = undefined;
    const problem = reason === 'stopped' ? null : reason;
    if (problem)
      this.#deps.log.warn({ recordingId: recording.id, problem }, 'recording stopped by the server');
    else this.#deps.log.info({ recordingId: recording.id }, 'recording stopped');
    this.#set({ status: 'off', startedAt: null, problem });
  }

  #set(state: LessonRecordingState, here = true): void {
    this.#state = state;
    this.emit('changed', state, here);
  }
}

function recordedTracks(tracks: readonly Track[]): RecordedTrack[] {
  return tracks.map(({ id, kind, source, classroomId }) =>
    classroomId === null ? { producerId: id, kind, source } : { producerId: id, kind, source, classroomId },
  );
}
