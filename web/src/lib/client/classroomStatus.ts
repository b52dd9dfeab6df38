/**
 * What the classroom screen says, decided from plain facts so that every
 * combination is testable without a browser or a server.
 */
import type { LessonState } from '@cloudschool/protocol';

/**
 * Mirrors `data-status` on the classroom page; the e2e tests rely on these names.
 * `scheduled` is the waiting room (the lesson has not started), `waiting` a
 * started lesson whose teacher is not broadcasting yet.
 */
export type ClassroomStatus =
  | 'connecting'
  | 'scheduled'
  | 'waiting'
  | 'live'
  | 'reconnecting'
  | 'host-offline'
  | 'ended'
  | 'cancelled'
  | 'replaced'
  /** A new PC for a classroom open on another PC: waiting for the host teacher to let it in. */
  | 'pending'
  /** The host teacher did not let this PC in. */
  | 'refused'
  /** The host teacher took this page out of the lesson. */
  | 'removed'
  | 'error';

/**
 * Where the page's link to the lesson stands (see LessonSession); `pending`: a classroom's new PC waits
 * for the host teacher's decision, with no media.
 */
export type LinkPhase = 'connecting' | 'ready' | 'reconnecting' | 'pending' | 'replaced' | 'error';

/** What this page has seen of the host since it opened. */
export interface HostMemory {
  wasLive: boolean;
  wasConnected: boolean;
}

export const freshHostMemory: HostMemory = { wasLive: false, wasConnected: false };

/** The host's own producers: `LessonState.producers` also lists those of on-stage classrooms. */
export function hostProducers(state: LessonState): LessonState['producers'] {
  return state.producers.filter((producer) => producer.classroomId === null);
}

export function rememberHost(memory: HostMemory, state: LessonState): HostMemory {
  return {
    wasLive: memory.wasLive || state.host.live || hostProducers(state).length > 0,
    wasConnected: memory.wasConnected || state.host.connected,
  };
}

export interface ClassroomFacts {
  phase: LinkPhase;
  /** The last lesson state pushed by the server, null before the first one. */
  state: LessonState | null;
  memory: HostMemory;
  /** At least one of the host's tracks is being received and shown. */
  playing: boolean;
  /**
   * This page's link came back from an interruption moments ago and the host
   * has not published again yet: after a server or media restart the host is
   * most likely still rejoining, so an empty lesson does not mean it left.
   */
  recovering: boolean;
  /** The server refused the join because the lesson is over (`lesson_closed`). */
  closed: boolean;
  /** Stopped by the host teacher: this PC was refused, or the page was taken out of the lesson. */
  sentAway?: 'refused' | 'removed' | null;
}

export function classroomStatus({
  phase,
  state,
  memory,
  playing,
  recovering,
  closed,
  sentAway = null,
}: ClassroomFacts): ClassroomStatus {
  // The end of a lesson is final, whatever the link does meanwhile.
  const schedule = state?.lesson.status;
  if (schedule === 'cancelled') return 'cancelled';
  if (schedule === 'ended' || closed) return 'ended';
  if (sentAway) return sentAway;
  if (phase !== 'ready') return phase;
  if (!state) return 'connecting';
  if (schedule === 'scheduled' || schedule === 'open') return 'scheduled';
  // The host publishes but the tracks are still being set up here.
  if (hostProducers(state).length > 0) return playing ? 'live' : 'connecting';
  // Nothing to show: say why. A host seen live (or seen and gone) has left;
  // one never seen, or present but not started yet, is still awaited.
  if (memory.wasLive || (memory.wasConnected && !state.host.connected)) {
    return recovering ? 'reconnecting' : 'host-offline';
  }
  return 'waiting';
}
