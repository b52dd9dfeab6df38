import { z } from 'zod';
import { MAX_RETENTION_DAYS } from '@cloudschool/protocol';
import { entity, logEntity } from '../entity.ts';
import { id, time } from './fields.ts';

/** What a recording takes from a lesson: the host's camera and microphone, and the screen it shares. */
export const RECORDED_SOURCES = ['camera', 'mic', 'screen'] as const;

/**
 * A recording of a lesson (recording/Recorder.ts): 'recording' while a node writes it, 'complete' once it
 * was stopped, 'interrupted' if its node died first (found by that node when it starts again) — playable
 * up to its last segment either way.
 */
export const recordings = entity({
  name: 'recording',
  schema: z.object({
    id,
    lessonId: id,
    /** The node whose recorder writes it, to the files under its DATA_DIR. */
    nodeId: id,
    startedAt: time,
    endedAt: time.nullable(),
    status: z.enum(['recording', 'complete', 'interrupted']),
  }),
  scope: ['lessonId'],
  id: 'id',
  order: ['startedAt', 'id'],
  sqlite: { table: 'recordings', columns: ['lessonId', 'id'], data: 'record' },
  redis: { hash: 'recordings' },
});

export type Recording = z.infer<typeof recordings.schema>;

/**
 * The recordings a node is writing now: what it marks interrupted when it starts again after dying. The
 * marker goes when its recording ends.
 */
export const openRecordings = entity({
  name: 'open recording',
  schema: z.object({ nodeId: id, recordingId: id, lessonId: id }),
  scope: ['nodeId'],
  id: 'recordingId',
  order: ['recordingId'],
  sqlite: { table: 'open_recordings', columns: ['nodeId', 'recordingId'], data: 'record' },
  redis: { hash: 'recordings-open' },
});

export type OpenRecording = z.infer<typeof openRecordings.schema>;

/**
 * One file of a recording, appended once ffmpeg closed it (or, after a crash, found on disk and probed).
 * `run`: the ffmpeg process that wrote it (a new one each time the recorded producers change: a host's
 * reload, a screen share); `startedAt`: the wall-clock time of its first frame, so a replay maps a lesson's
 * time to a file and a position in it.
 */
export const recordingSegments = logEntity({
  name: 'recording segment',
  schema: z.object({
    recordingId: id,
    run: z.int().min(0),
    file: z.string().regex(/^[\w.-]+$/),
    startedAt: time,
    durationMs: z.int().min(0),
    /** Its size on disk when it was stored (absent in segments stored before sizes were kept). */
    bytes: z.int().min(0).optional(),
  }),
  scope: ['recordingId'],
  order: ['startedAt', 'file'],
  sqlite: { table: 'recording_segments', columns: ['recordingId'], data: 'record' },
  redis: { list: 'recording-segments' },
});

export type RecordingSegment = z.infer<typeof recordingSegments.schema>;

/**
 * How long the district keeps its recordings (recording/RetentionSweeper.ts); `days` null keeps them for ever
 * (also when nobody set it: nothing is deleted until a coordinator says so). Who set it and when is shown
 * beside it.
 */
export const recordingRetentionValue = z.object({
  days: z.int().min(1).max(MAX_RETENTION_DAYS).nullable(),
  setBy: id,
  setAt: time,
});

export type RecordingRetention = z.infer<typeof recordingRetentionValue>;

/**
 * The retention as one named record beside the secrets (their table and keys: `cs:secret:recording-retention`),
 * its value the JSON of RecordingRetention: a single district setting needs no table of its own.
 */
export const recordingRetention = entity({
  name: 'recording retention',
  schema: z.object({ name: z.literal('recording-retention'), value: z.string() }),
  scope: [],
  id: 'name',
  sqlite: { table: 'secrets', columns: ['name', 'value'] },
  redis: { string: 'secret', value: { text: 'value' } },
});
