import type { OpenRecording, Recording, RecordingSegment } from './entities/recordings.ts';

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
}
