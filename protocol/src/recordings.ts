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

/** The most recordings one page of the library holds. */
export const LIBRARY_MAX_PAGE = 100;
/** The longest date range the library lists at once, in days (a school year and a bit). */
export const LIBRARY_MAX_DAYS = 366;

const libraryFilters = z.object({
  /** The host teacher's account id. */
  teacher: z.string().min(1).max(64).optional(),
  /** The school of the lesson's host classroom. */
  school: z.string().min(1).max(64).optional(),
  /** Days of the lessons' start (`YYYY-MM-DD`, the district's time zone); by default the last LIBRARY_MAX_DAYS. */
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  /** The `next` of the page before. */
  cursor: z
    .string()
    .regex(/^\d{1,15}:[\w.:-]{1,64}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(LIBRARY_MAX_PAGE).default(30),
});

/** A range given whole ends on or after its first day and covers at most LIBRARY_MAX_DAYS. */
const rangeInOrder = (q: { from?: string | undefined; to?: string | undefined }): boolean =>
  q.from === undefined ||
  q.to === undefined ||
  (q.to >= q.from && (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < LIBRARY_MAX_DAYS);
const rangeMessage = {
  message: `the range must end on or after its first day and cover at most ${LIBRARY_MAX_DAYS} days`,
  path: ['to'],
};

/** GET /api/recordings (coordinators): every recording, newest first, filtered. */
export const recordingLibraryQuery = libraryFilters.strict().refine(rangeInOrder, rangeMessage);
/** GET /api/teacher/recordings: the recordings of the teacher's own lessons (no teacher filter). */
export const teacherRecordingsQuery = libraryFilters
  .omit({ teacher: true })
  .strict()
  .refine(rangeInOrder, rangeMessage);
export type RecordingLibraryQuery = z.input<typeof recordingLibraryQuery>;

/** One recording in the library, with what a table shows of its lesson. */
export const libraryRecording = z.object({
  id: z.string(),
  lessonId: z.string(),
  lessonTitle: z.string(),
  /** The lesson's scheduled start (ISO 8601). */
  lessonStartsAt: z.string(),
  hostTeacher: z.object({ id: z.string(), name: z.string() }),
  /** The school of the lesson's host classroom; null if it is gone from the roster. */
  school: z.object({ id: z.string(), name: z.string() }).nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  status: z.enum(['recording', 'complete', 'interrupted']),
  /** The sum of its closed segments. */
  durationMs: z.int().min(0),
  /** Its closed segments' size on disk. */
  bytes: z.int().min(0),
  /** The lesson's replay page. */
  replayUrl: z.string(),
});

export const recordingLibraryPage = z.object({
  recordings: z.array(libraryRecording),
  /** The cursor of the next (older) page; null when this page is the last. */
  next: z.string().nullable(),
});

export type LibraryRecording = z.infer<typeof libraryRecording>;
export type RecordingLibraryPage = z.infer<typeof recordingLibraryPage>;

/** The longest retention a coordinator may set: ten years. */
export const MAX_RETENTION_DAYS = 3650;

/**
 * PUT /api/recordings/retention (coordinators): how many days recordings are kept after they end; null
 * keeps them for ever. Each node deletes its own older ones hourly (and at once after a change).
 */
export const retentionBody = z.strictObject({
  days: z.int().min(1).max(MAX_RETENTION_DAYS).nullable(),
});
export type RetentionBody = z.infer<typeof retentionBody>;

/** GET and PUT /api/recordings/retention: the setting, who set it and when (null: never set). */
export interface RetentionView {
  days: number | null;
  setBy: { id: string; name: string } | null;
  setAt: string | null;
}
