import { z } from 'zod';
import { boardOp } from '@cloudschool/board';

/**
 * A recorded lesson's replay (`GET /api/lessons/:id/replay`): what the replay page plays and redraws. Times
 * are wall-clock epoch milliseconds, the same clock as the board's operations and the recording's segments,
 * so "the lesson at time t" is one number everywhere.
 */

/** One ffmpeg run of the recording as one WebM file (its segments joined): plays from `startedAt`. */
export const replayPart = z.object({
  run: z.int().min(0),
  startedAt: z.int(),
  durationMs: z.int().min(0),
  /** Same-origin URL of its WebM (Range requests); a classroom's carries its join token. */
  url: z.string(),
});

/**
 * A moment on the timeline: a page turn (`page`: the board page shown, from 1, and `coursewarePage` behind
 * it), a question asked, a quiz opened or its answer revealed, a classroom on or off stage, a hand raised.
 * `name`: the classroom's; `text`: the question's or the quiz's. The page says it in its language.
 */
export const replayMark = z.object({
  at: z.int(),
  kind: z.enum(['page', 'question', 'quiz', 'quiz:reveal', 'stage:on', 'stage:off', 'hand']),
  page: z.int().min(1).nullable(),
  coursewarePage: z.int().min(1).nullable(),
  name: z.string().nullable(),
  text: z.string().nullable(),
});

/** The board page shown (from 1), and the courseware page behind it, from `at` until the next chapter. */
export const replayChapter = z.object({
  at: z.int(),
  pageId: z.string(),
  page: z.int().min(1),
  coursewarePage: z.int().min(1).nullable(),
});

export const lessonReplay = z.object({
  lesson: z.object({ id: z.string(), title: z.string() }),
  /** The recordings of the lesson, oldest first; `recordingId` is the one described. */
  recordings: z.array(z.object({ id: z.string(), startedAt: z.int(), status: z.string() })),
  recordingId: z.string(),
  /** The span of the replay: the first part's start to the last part's end. */
  startedAt: z.int(),
  endedAt: z.int(),
  parts: z.array(replayPart),
  /** Every board operation of the lesson (also before the recording: they make the board it starts with). */
  board: z.array(boardOp),
  marks: z.array(replayMark),
  chapters: z.array(replayChapter),
});

export type ReplayPart = z.infer<typeof replayPart>;
export type ReplayMark = z.infer<typeof replayMark>;
export type ReplayChapter = z.infer<typeof replayChapter>;
export type LessonReplay = z.infer<typeof lessonReplay>;

/**
 * A recording exported as one MP4 (camera and board or screen composed, voice mixed), made in the
 * background by the server: `POST /api/lessons/:id/replay/:recordingId/export` starts it (the host teacher,
 * coordinators), `GET` the same path tells how far it is; `url` downloads it once `done`.
 * `failed`: the last try failed (another POST tries again).
 */
export const replayExport = z.object({
  state: z.enum(['none', 'queued', 'running', 'done', 'failed']),
  /** The share made, 0–1 (1 once done). */
  progress: z.number().min(0).max(1),
  bytes: z.int().min(0).nullable(),
  url: z.string().nullable(),
});

export type ReplayExport = z.infer<typeof replayExport>;
