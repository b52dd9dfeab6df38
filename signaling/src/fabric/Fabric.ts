import type express from 'express';
import type { LinkReport, MediaRoom } from '@cloudschool/sfu';
import type { BoardOp } from '@cloudschool/board';
import type {
  LessonLayout,
  LessonRecordingState,
  MediaKind,
  MediaSource,
  QualityLevel,
  ReadinessResults,
  Role,
  WallLesson,
  WallPatch,
} from '@cloudschool/protocol';

/** A page of a lesson as every node running the lesson knows it. */
export interface PageInfo {
  peerId: string;
  role: Role;
  displayName: string;
  classroomId: string | null;
  /** The page lost its connection and may come back (it keeps its place a while). */
  reconnecting?: boolean;
  /** A classroom page's last self-check (lesson/LessonReadiness.ts); none before its first, or while it reconnects. */
  readiness?: ReadinessResults;
}

/** A track of a lesson as every node knows it; consumers elsewhere bring it from the node that receives it. */
export interface TrackInfo {
  id: string;
  kind: MediaKind;
  source: MediaSource;
  classroomId: string | null;
  peerId: string;
}

/** A PC waiting to join as a classroom already open on another PC (DeviceRequests). */
export interface DeviceRequestInfo {
  requestId: string;
  classroomId: string;
  label: string;
  at: number;
}

/**
 * What changes in a lesson, told by the node where it happened to the other nodes running the lesson:
 * its pages and tracks come and go; the stage, the interaction and the schedule are in the store (read
 * them again); a board operation was sequenced.
 */
export type LessonChange =
  | { type: 'page'; page: PageInfo; present: boolean }
  | { type: 'track'; track: TrackInfo; present: boolean }
  | { type: 'stage' }
  | { type: 'interaction' }
  | { type: 'info' }
  | { type: 'board'; op: BoardOp }
  /** How well a classroom's media (or the host's broadcast: `subject` null) gets through, measured there. */
  | { type: 'quality'; subject: string | null; level: QualityLevel }
  /** A PC asks to join as a classroom (present), or its request was decided or withdrawn. */
  | { type: 'device'; request: DeviceRequestInfo; present: boolean }
  /** The host barred a classroom's new PCs for the rest of the lesson. */
  | { type: 'barred'; classroomId: string }
  /** The host teacher chose what the classrooms show large. */
  | { type: 'layout'; layout: LessonLayout }
  /** The node recording the lesson started or stopped it. */
  | { type: 'recording'; state: LessonRecordingState };

/** Where the wall hears how another node sees a lesson it runs: whole, what changed, or null (no longer). */
export type WallListener = (from: string, lessonId: string, change: WallLesson | WallPatch | null) => void;

/** Where a live lesson hears what other nodes tell of it. */
export type LessonListener = (from: string, change: LessonChange) => void;

/** A live lesson's line to the other nodes running it. */
export interface LessonLink {
  /** Tells the other nodes a change made on this node. */
  tell(change: LessonChange): void;
  close(): void;
}

/**
 * Everything a node does with other nodes, behind one seam (chosen once, in main.ts): the lessons it runs
 * are linked to their copies on other nodes, tracks received elsewhere are brought here, and what one
 * node changes in the store reaches the others. `LocalFabric` is a node alone: nobody to tell, every
 * track already here.
 */
export interface Fabric {
  readonly nodeId: string;
  /**
   * Links a lesson that starts running on this node. Resolves once the other nodes running it told what
   * they have (their pages and tracks arrive through `hear` before that), or after a short wait.
   */
  link(lessonId: string, hear: LessonListener): Promise<LessonLink>;
  /** The schedule side of a lesson changed on this node: nodes running it read it again. */
  recordChanged(lessonId: string): void;
  /** Makes a track received by node `from` consumable in `room` on this node. */
  bring(room: MediaRoom, producerId: string, from: string): Promise<void>;
  /** What crosses between this node and others for a room (tracks and bytes per link). */
  links(roomId: string): Promise<LinkReport[]>;
  /** Tells every other node how a lesson this node runs looks on the coordinators' wall (null: no longer). */
  shareWall(lessonId: string, change: WallLesson | WallPatch | null): void;
  /** Where this node's wall hears the other nodes' lessons. */
  onWall(listener: WallListener): void;
  /** HTTP routes of their own (e.g. the nodes and their load), mounted under the API. */
  routes(): express.Router | undefined;
  /** Pages this node serves, for the fabric's load report. */
  setLoad(load: () => { pages: number; lessons: number }): void;
  close(): Promise<void>;
}

/** A node alone. */
export class LocalFabric implements Fabric {
  readonly nodeId: string;

  constructor(nodeId: string) {
    this.nodeId = nodeId;
  }

  async link(): Promise<LessonLink> {
    return { tell: () => undefined, close: () => undefined };
  }

  recordChanged(): void {}

  /** Every track of a lesson is received by this node. */
  async bring(): Promise<void> {}

  async links(): Promise<LinkReport[]> {
    return [];
  }

  shareWall(): void {}

  onWall(): void {}

  routes(): undefined {
    return undefined;
  }

  setLoad(): void {}

  async close(): Promise<void> {}
}
