import type {
  OpenRecording,
  Recording,
  RecordingRetention,
  RecordingSegment,
} from './entities/recordings.ts';

/** Lesson recordings and their segment files (recording/). */
export interface RecordingStore {
  /**
   * Inserts or replaces a recording. While its status is 'recording' it is also one of its node's open
   * recordings (listOpenRecordings); any other status ends that.
   */
  putRecording(recording: Recording): Promise<void>;
  getRecording(lessonId: string, id: string): Promise<Recording | undefined>;
  /** A lesson's recordings, oldest first. */
  listRecordings(lessonId: string): Promise<Recording[]>;
  /** The recordings a node was writing (to be marked interrupted when it starts again after dying). */
  listOpenRecordings(nodeId: string): Promise<OpenRecording[]>;
  appendRecordingSegment(segment: RecordingSegment): Promise<void>;
  /** A recording's segments in time order. */
  listRecordingSegments(recordingId: string): Promise<RecordingSegment[]>;
  /**
   * Forgets a recording that has ended and its segments (the retention sweeper, once its files are gone);
   * answers whether there was one. A recording still being made is refused (InvalidRecordError).
   */
  deleteRecording(lessonId: string, id: string): Promise<boolean>;
  /** The district's retention of recordings; undefined when nobody set it (kept for ever). */
  getRecordingRetention(): Promise<RecordingRetention | undefined>;
  putRecordingRetention(retention: RecordingRetention): Promise<void>;
}
