import type { LifecycleEvents } from './LifecycleTypes.ts';

/**
 * Why a room closed: 'closed', by its owner or its Sfu; 'worker-died', one of its workers died (everyone
 * rebuilds their transports in the room made next for the same id).
 */
export type MediaRoomCloseReason = 'closed' | 'worker-died';

export type MediaRoomEvents = LifecycleEvents & {
  /** The room is gone, with its peers: for whoever asked the Sfu for it (the same as observer 'close'). */
  close: [reason: MediaRoomCloseReason];
};

export type MediaRoomObserverEvents = {
  close: [reason: MediaRoomCloseReason];
};
