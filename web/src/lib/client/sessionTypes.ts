/** What a LessonSession is given (who joins) and tells its page (phases, state, recoveries, why it stopped). */
import type {
  ChatMessageView,
  InteractionState,
  JoinResult,
  LessonState,
  LiveLaser,
  LiveStrokeBegin,
  LiveStrokePoints,
  Role,
} from '@cloudschool/protocol';
import type { BoardOp } from '@cloudschool/board';
import type { LinkPhase } from './classroomStatus.ts';
import type { DeviceKeeper } from './deviceCredential.ts';

/** Why the page gave up; each has its own message. */
export type FatalReason =
  | 'invalid-lesson'
  | 'not-found'
  | 'forbidden'
  | 'unsupported'
  /** A classroom's link is wrong or expired. */
  | 'invalid-token'
  /** A host page without a logged-in teacher. */
  | 'unauthenticated'
  /** The lesson has ended or was cancelled. */
  | 'closed'
  /** A new PC for a classroom open elsewhere: the host teacher did not let it in. */
  | 'device-refused'
  /** The host teacher took this classroom's page out of the lesson. */
  | 'removed'
  /** A coordinator revoked this PC. */
  | 'revoked';

/** Who joins which lesson. */
export interface JoinAs {
  lessonId: string;
  role: Role;
  /** The classroom's join token (from its link or its typed code). */
  token?: string | undefined;
  /** Media through TURN relays only (a classroom's `?relay=1`, to diagnose a school's firewall). */
  relay?: boolean | undefined;
  /** A classroom's PC: the credential sent with every join, and where a new one is kept. */
  device?: DeviceKeeper | undefined;
}

/** A page back in the lesson after it lost it (times: epoch ms), for logs and the benchmarks. */
export interface Recovery {
  /** Took its place back with its media kept, or joined again from scratch. */
  how: 'resumed' | 'joined';
  /** When the connection dropped (or the media failed). */
  lostAt: number;
  /** When the socket was connected again (the last time, if it took several). */
  reconnectedAt: number;
  /** When the page was in the lesson again with its media up. */
  readyAt: number;
}

/** What the session did so far, for `window.__cloudschool.session()`. */
export interface SessionCounts {
  joins: number;
  resumes: number;
  iceRestarts: number;
}

/** The whiteboard's pushes: sequenced operations and the live traffic of other pages. */
export interface BoardListener {
  op(op: BoardOp): void;
  strokeBegin(stroke: LiveStrokeBegin): void;
  strokePoints(points: LiveStrokePoints): void;
  laser(laser: LiveLaser): void;
}

export interface SessionListener {
  phase(phase: LinkPhase): void;
  state(state: LessonState): void;
  fatal(reason: FatalReason): void;
  /**
   * Every successful join (the first, and again after a reconnect), before its lesson state; after a
   * resume, the join's answer with what the resume brought (state, interaction, personal, ICE servers).
   */
  joined?(result: JoinResult): void;
  /** The page is back in the lesson with its media up after it lost it. */
  recovered?(recovery: Recovery): void;
  /** The whole interaction state, after every change. */
  interaction?(state: InteractionState): void;
  /** A backchannel message for this page. */
  message?(message: ChatMessageView): void;
  /** The whiteboard (its sync starts from `joined`). */
  board?: BoardListener;
}
