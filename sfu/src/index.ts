export { Sfu } from './Sfu.ts';
export { SOCKET_BUFFER_BYTES } from './SfuTypes.ts';
export type {
  SfuEvents,
  SfuLogger,
  SfuObserverEvents,
  SfuOptions,
  PeerKind,
  TransportDirection,
} from './SfuTypes.ts';
export { WorkerPool } from './WorkerPool.ts';
export type { WorkerPoolEvents, WorkerSlot } from './WorkerPoolTypes.ts';
export { MediaRoom } from './MediaRoom.ts';
export type { MediaRoomCloseReason, MediaRoomEvents, MediaRoomObserverEvents } from './MediaRoomTypes.ts';
export { MediaPeer } from './MediaPeer.ts';
export type {
  MediaPeerEvents,
  MediaPeerObserverEvents,
  PeerRoom,
  Placement,
  PlainSrtp,
  PlainTransportInfo,
  WebRtcTransportInfo,
} from './MediaPeerTypes.ts';
export { NodePipes } from './NodePipes.ts';
export type {
  LinkReport,
  NodePipesEvents,
  NodePipesObserverEvents,
  PipeCarrier,
  PipeEnd,
  PipeNotice,
  PipeRequest,
  PipedTrack,
} from './NodePipesTypes.ts';
export { InvalidStateError, MediaError, NotFoundError } from './errors.ts';
export { LAYER_HOLD, LayerHold } from './LayerHold.ts';
export type { HeldConsumer, HeldLink, LayerHoldOptions } from './LayerHold.ts';
export { LinkEstimate } from './LinkEstimate.ts';
export type { EstimatedTransport } from './LinkEstimate.ts';
export { mediaCodecs } from './codecs.ts';
