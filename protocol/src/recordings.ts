import { z } from 'zod';

/** One file of a recording (WebM: VP8 + Opus), in the order to play them. */
export const recordingSegmentView = z.object({
  file: z.string(),
  /** Wall-clock start of its first frame (ISO 8601): maps a lesson's time to a file and a position. */
  startedAt: z.string(),
  durationMs: z.int().min(0),
});

/**
 * A recording of a lesson (`GET /api/lessons/:id/recordings`): 'recording' while it is made, 'complete'
 * once stopped, 'interrupted' when its server died first (it plays up to its last segment).
 */
export const recordingView = z.object({
  id: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  status: z.enum(['recording', 'complete', 'interrupted']),
  /** The sum of its segments. */
  durationMs: z.int().min(0),
  segments: z.array(recordingSegmentView),
});

export const lessonRecordings = z.object({ recordings: z.array(recordingView) });

export type RecordingSegmentView = z.infer<typeof recordingSegmentView>;
export type RecordingView = z.infer<typeof recordingView>;
export type LessonRecordings = z.infer<typeof lessonRecordings>;

/**
 * Whether the live lesson is being recorded, in `LessonState` (every page shows "录制中" while it is: schools
 * must know). `problem`: why the server stopped it by itself (the disk ran low, ffmpeg could not go on); null
 * when a person stopped it or it never started.
 */
export interface LessonRecordingState {
  status: 'off' | 'recording';
  /** ISO 8601: when the recording now running started (the host's "录制中 00:12" counts from it). */
  startedAt: string | null;
  problem: 'disk_full' | 'failed' | null;
}

/**
 * Starting and stopping the lesson's recording (host teacher, or a coordinator patrolling as observer —
 * district staff run recordings too). Recorded on the node that receives the host's media.
 */
export const recordingSchemas = {
  'recording:start': z.strictObject({}),
  'recording:stop': z.strictObject({}),
} as const;
