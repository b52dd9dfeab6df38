import type { types as ms } from 'mediasoup';
import type { LifecycleEvents } from './LifecycleTypes.ts';
import type { WorkerPoolEvents } from './WorkerPoolTypes.ts';

type LogFn = (obj: object, msg?: string) => void;

/** The subset of a pino logger the media plane uses; signaling passes its own. */
export interface SfuLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

export interface SfuOptions {
  /** Number of mediasoup workers that forward to receivers; one per core is the usual choice. */
  workerCount: number;
  /**
   * One more worker that only receives the senders' media (hosts) and pipes it to the others. A worker
   * that forwards each packet to hundreds of receivers stamps the sender's next packets late; the sender's
   * browser reads that as congestion and lowers its bitrate (measured: 3000 → 84 kbit/s with 800
   * classrooms). Receiving on a worker that hardly forwards keeps the teacher's picture.
   */
  ingestWorker?: boolean;
  /** Local address the WebRTC servers bind to (0.0.0.0: every interface). */
  listenIp: string;
  /** Address given to browsers in ICE candidates: the LAN IP or public hostname of this machine. */
  announcedAddress?: string;
  /** Worker i listens on rtcPortBase + i, UDP and (with iceTcp) TCP. */
  rtcPortBase: number;
  /**
   * The workers' ports also take ICE over TCP, for school networks that block UDP. Off only where every page is
   * known to reach UDP: the network lab, whose emulation shapes WebRTC over UDP and not over TCP.
   */
  iceTcp: boolean;
  /** Port range for plain (non-WebRTC) transports, used by load and integration tests. */
  plainPortRange: { min: number; max: number };
  /**
   * A producer asks its sender for a key frame at most once per this many ms (mediasoup's
   * keyFrameRequestDelay): a mass join must not make the host's encoder send key frames back to back.
   */
  keyFrameRequestDelayMs: number;
  logLevel: ms.WorkerLogLevel;
  logger: SfuLogger;
}

export type TransportDirection = 'send' | 'recv';

/** Where a peer is best placed: a sender (the host) on the ingest worker, receivers spread over the rest. */
export type PeerKind = 'sender' | 'receiver';

/** Kernel socket buffers of the media ports: a busy machine must not drop a burst at the door. */
export const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

/** What the owner of an Sfu hears: its workers' deaths and replacements. */
export type SfuEvents = WorkerPoolEvents & LifecycleEvents;

export type SfuObserverEvents = {
  /** The Sfu closed: its rooms, then its workers. */
  close: [];
};
