import type { types as ms } from 'mediasoup';
import type { LifecycleEvents } from './LifecycleTypes.ts';

/** One end of a pipe between two nodes: where it listens and the key it encrypts with. */
export interface PipeEnd {
  ip: string;
  port: number;
  srtp: ms.SrtpParameters;
}

/** What one node's media plane asks of another's: link a room's routers, then send a track over the link. */
export type PipeRequest =
  | ({ type: 'link'; roomId: string; linkId: string } & PipeEnd)
  | { type: 'consume'; roomId: string; linkId: string; producerId: string };

/** The answer to a 'consume': what the pulling node's copy of the track must declare. */
export interface PipedTrack {
  kind: ms.MediaKind;
  rtpParameters: ms.RtpParameters;
  paused: boolean;
}

/** The sender's side of a piped track changed: its copy (over link `linkId`) follows. */
export interface PipeNotice {
  linkId: string;
  producerId: string;
  event: 'pause' | 'resume' | 'close';
}

/**
 * How pipe messages reach another node: the control plane carries them (over Redis in a cluster) and
 * hands what arrives for this node to NodePipes.serve / NodePipes.notice.
 */
export interface PipeCarrier {
  request(nodeId: string, request: PipeRequest): Promise<unknown>;
  notify(nodeId: string, notice: PipeNotice): void;
}

/** One link of a room, as `NodePipes.report` gives it. */
export interface LinkReport {
  node: string;
  direction: 'in' | 'out';
  tracks: number;
  bytesReceived: number;
  bytesSent: number;
}

export type NodePipesEvents = LifecycleEvents;

export type NodePipesObserverEvents = {
  /** Closed by its owner or with its Sfu: every link is closed, pending pulls and requests fail. */
  close: [];
};
