/**
 * The typed Socket.IO link to the control plane (signaling/), served on the
 * page's own origin. Every request is acknowledged; a request turns into a
 * promise that rejects with a SignalError.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientEvent,
  ClientToServerEvents,
  ErrorCode,
  RequestOf,
  Responses,
  ServerToClientEvents,
} from '@cloudschool/protocol';

export type LessonSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The server's error codes, plus 'timeout' when no answer came back in time. */
export type SignalErrorCode = ErrorCode | 'timeout';

export class SignalError extends Error {
  readonly code: SignalErrorCode;

  constructor(code: SignalErrorCode, message: string) {
    super(message);
    this.name = 'SignalError';
    this.code = code;
  }
}

export const REQUEST_TIMEOUT_MS = 10_000;

export function connectSignal(): LessonSocket {
  // WebSocket only: no long-polling fallback means no sticky sessions are
  // needed behind a load balancer. Reconnection is on (the default) with a
  // capped backoff so a classroom comes back quickly after a network blip.
  return io({
    transports: ['websocket'],
    reconnection: true,
    reconnectionDelay: 1_000,
    reconnectionDelayMax: 5_000,
  });
}

export function request<E extends ClientEvent>(
  socket: LessonSocket,
  event: E,
  payload: RequestOf<E>,
): Promise<Responses[E]> {
  return new Promise((resolve, reject) => {
    const onAck = (err: Error | null, res: Ack<Responses[E]>): void => {
      if (err) reject(new SignalError('timeout', `${event}: no answer within ${REQUEST_TIMEOUT_MS} ms`));
      else if (res.ok) resolve(res.data);
      else reject(new SignalError(res.error.code, res.error.message));
    };
    // Widened to the untyped Socket: TypeScript cannot resolve socket.io's
    // per-event parameter types for a generic E. The signature of request()
    // keeps callers typed against the protocol.
    const timed: Socket = socket.timeout(REQUEST_TIMEOUT_MS);
    timed.emit(event, payload, onAck);
  });
}
