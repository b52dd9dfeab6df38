import type { types as ms } from 'mediasoup';
import type { SfuLogger } from '@cloudschool/sfu';
import type { RecordingStore } from '../store/RecordingStore.ts';

/** A producer of the lesson that is recorded: the host's camera and microphone, the screen it shares. */
export interface RecordedTrack {
  readonly source: 'camera' | 'mic' | 'screen';
  readonly kind: ms.MediaKind;
  readonly producerId: string;
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
  /**
   * The length of a segment file, and how often the recorder asks the host's encoder for a key frame (a
   * segment starts at one): at most this much (plus ffmpeg's last cluster, 1 s) is lost when the node dies.
   */
  readonly segmentSeconds: number;
  readonly logger: SfuLogger;
}

export const RECORDER_DEFAULTS = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', segmentSeconds: 4 } as const;

/** The recording is stopped, or its lesson's room closed. */
export class RecordingClosedError extends Error {
  override name = 'RecordingClosedError';
}
