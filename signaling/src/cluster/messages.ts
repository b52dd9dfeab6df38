import type { PipeNotice, PipeRequest } from '@cloudschool/sfu';
import type { MediaKind, MediaSource, Role } from '@cloudschool/protocol';
import type { BoardOp } from '@cloudschool/board';

/** A participant as the other nodes running the lesson see it. */
export interface PeerInfo {
  peerId: string;
  role: Role;
  displayName: string;
  classroomId: string | null;
}

/** A track as the other nodes see it: they pull it from `node` when one of their pages consumes it. */
export interface TrackInfo {
  id: string;
  kind: MediaKind;
  source: MediaSource;
  classroomId: string | null;
  peerId: string;
}

/**
 * What one node running a lesson tells the others, so each has the whole lesson (who is in it, what is
 * published, the stage) while serving only its own pages.
 */
export type LessonEvent =
  /** A node started running the lesson: the others answer with a snapshot. */
  | { type: 'hello'; lessonId: string }
  /** Everything of the lesson on the sending node; replaces what the receiver knew of that node. */
  | { type: 'snapshot'; lessonId: string; peers: PeerInfo[]; tracks: TrackInfo[] }
  | { type: 'peer'; lessonId: string; peer: PeerInfo; present: boolean }
  | { type: 'track'; lessonId: string; track: TrackInfo; present: boolean }
  /** The stage changed in the store: read it again and let media follow. */
  | { type: 'stage'; lessonId: string }
  /** Hands, questions, quiz or chat changed in the store: push the views again. */
  | { type: 'interaction'; lessonId: string }
  /** The schedule side changed (started, ended, edited): read the lesson again. */
  | { type: 'info'; lessonId: string };

/** Everything that crosses between nodes, besides what the Socket.IO adapter carries for sockets. */
export type ClusterEvent =
  | LessonEvent
  | { type: 'board'; lessonId: string; op: BoardOp }
  | { type: 'pipe'; to: string; notice: PipeNotice };

export type ClusterRequest = PipeRequest;
