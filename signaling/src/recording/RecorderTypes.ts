import type { types as ms } from 'mediasoup';
import type { SfuLogger } from '@cloudschool/sfu';
import type { RecordingStore } from '../store/RecordingStore.ts';
import { defaultStatfs } from './diskSpace.ts';
import type { Statfs } from './diskSpace.ts';

/**
 * A producer of the lesson that is recorded: the host's camera and microphone, the screen it shares, an
 * on-stage classroom's camera and microphone (`classroomId`: whose; absent: the host's).
 */
export interface RecordedTrack {
  readonly source: 'camera' | 'mic' | 'screen';
  readonly kind: ms.MediaKind;
  readonly producerId: string;
  readonly classroomId?: string;
}

export interface RecorderOptions {
  readonly store: RecordingStore;
  /** This node: its open recordings are the ones it finds interrupted when it starts again. */
  readonly nodeId: string;
  /** Recordings go to `<dataDir>/recordings/<lessonId>/<recordingId>/`. */
  readonly dataDir: string;
  /** ffmpeg's and ffprobe's commands (default: on the PATH). */
  readonly ffmpeg: string;
  readonly ffprobe: string;
  /** The shortest segment file: ffmpeg closes one at the first key frame after this long. */
  readonly segmentSeconds: number;
  /**
   * How long a recorded video may go without a key frame before the recorder asks the host for one (key
   * frames the lesson brings anyway count). A replay's seek decodes from the key frame before it; each ask
   * costs every classroom a key frame (README: Key frames).
   */
  readonly keyFrameSeconds: number;
  /**
   * The floor of free space (MiB) on DATA_DIR's file system: a recording does not start below it, and
   * running recordings stop when it is crossed (checked every `diskCheckMs`) — the lessons go on.
   */
  readonly minFreeMb: number;
  readonly diskCheckMs: number;
  /** How free space is read (`fs.promises.statfs`; tests inject a disk that fills up). */
  readonly statfs: Statfs;
  readonly logger: SfuLogger;
}

export const RECORDER_DEFAULTS = {
  ffmpeg: 'ffmpeg',
  ffprobe: 'ffprobe',
  segmentSeconds: 4,
  keyFrameSeconds: 30,
  minFreeMb: 2048,
  diskCheckMs: 5_000,
  statfs: defaultStatfs,
} as const;

/**
 * Why a recording ended: stopped by someone (or its lesson closed), the disk fell below the floor, or
 * ffmpeg could not be kept running.
 */
export type RecordingEnd = 'stopped' | 'disk_full' | 'failed';

export interface RecordingObserverEvents {
  /** The recording ended, and is stored as complete. */
  stop: [reason: RecordingEnd];
}

/** Free space is below the floor (`minFreeMb`): no recording starts. */
export class DiskFullError extends Error {
  override name = 'DiskFullError';
  readonly freeMb: number;
  constructor(freeMb: number, minFreeMb: number) {
    super(`${freeMb} MiB free for recordings, below the floor of ${minFreeMb} MiB`);
    this.freeMb = freeMb;
  }
}

/** The recording is stopped, or its lesson's room closed. */
export class RecordingClosedError extends Error {
  override name = 'RecordingClosedError';
}
