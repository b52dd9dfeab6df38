/**
 * What a LessonSession asks of the role-specific media it carries (the host's Publisher, a classroom's
 * Receiver and ClassroomPublisher): a MediaSide, started on every fresh MediaLink.
 */
import type { Device } from 'mediasoup-client';
import type { JoinResult, LessonState } from '@cloudschool/protocol';
import type { LessonSocket } from './signal.ts';

/** How a transport made now reaches the media server. */
export interface TransportOptions {
  /** TURN relays from the join (fresh ones after a resume); empty when none is configured. */
  iceServers: RTCIceServer[];
  /** `relay` only through TURN (the `?relay=1` diagnostic switch). */
  iceTransportPolicy: RTCIceTransportPolicy;
}

/**
 * What a MediaSide gets to build its media with. A new link is made for every (re)start; it outlives a
 * dropped connection that the page comes back from (`lesson:resume`).
 */
export interface MediaLink {
  readonly socket: LessonSocket;
  readonly device: Device;
  /** What the join answered: who this page is (role, classroom) in the lesson. */
  readonly joined: JoinResult;
  /** In the lesson right now: false while the connection is down or the page is taking its place back. */
  readonly online: boolean;
  /** Resolves true once the page is in the lesson (at once if it is), false once this link is given up. */
  whenOnline(): Promise<boolean>;
  /** ICE servers and policy for a transport made now. */
  transportOptions(): TransportOptions;
  /** An ICE restart was made (counted for `window.__cloudschool.session()`). */
  iceRestarted(): void;
  /**
   * A transport's ICE is connected again after a break: the network is back. A connection still waiting
   * out socket.io's back-off (up to 5 s) is made again at once.
   */
  pathBack(): void;
  /**
   * Reports a broken media path; the session then joins again (once the page is back, if the
   * connection is down).
   */
  fail(error: unknown): void;
}

export interface MediaSide {
  /** Builds transports (and producers or consumers) on a fresh link. */
  start(link: MediaLink): Promise<void>;
  /** A lesson state push while started. */
  update(state: LessonState): void;
  /**
   * The page took its place back after a dropped connection, its media kept: the server still has these
   * of its consumers (any other was closed meanwhile). A state push (`update`) follows.
   */
  resumed?(consumerIds: readonly string[]): void;
  /** Drops every transport at once; a later start() begins anew. */
  stop(): void;
}

/**
 * Several media sides as one (a classroom both receives and sends): started
 * in order, updated and stopped together.
 */
export function combineSides(...sides: MediaSide[]): MediaSide {
  return {
    async start(link) {
      for (const side of sides) await side.start(link);
    },
    update(state) {
      for (const side of sides) side.update(state);
    },
    resumed(consumerIds) {
      for (const side of sides) side.resumed?.(consumerIds);
    },
    stop() {
      for (const side of sides) side.stop();
    },
  };
}
