import type { types as ms } from 'mediasoup';

/** One mediasoup worker process and the WebRtcServer that owns its fixed UDP/TCP port. */
export interface WorkerSlot {
  readonly index: number;
  /** Receives senders' media and pipes it to the other workers; receivers are never placed on it. */
  readonly ingest: boolean;
  readonly worker: ms.Worker;
  readonly webRtcServer: ms.WebRtcServer;
  /** Peers placed on this worker, every room counted: the load measure used for placement. */
  peers: number;
  /** Routers on this worker: breaks ties, so new rooms spread before they fill. */
  routers: number;
}

export type WorkerPoolEvents = {
  /**
   * A worker process died (its exit was not followed by the pool's close within `DEATH_SETTLE_MS`); its routers
   * are closed and a new process is being started in its slot.
   */
  workerdied: [info: { index: number; pid: number; error: Error }];
  /** A dead worker's slot has a new process, listening on the same port. */
  workerreplaced: [info: { index: number; pid: number }];
  /** A dead worker could not be replaced after several tries: the slot stays empty. */
  workerfailed: [info: { index: number; error: Error }];
};
