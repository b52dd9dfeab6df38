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
  // backoff capped at 2 s (± half, socket.io's randomisation), so a classroom
  // comes back within a few seconds of its network, and takes its place back
  // (lesson:resume) while the server still keeps it.
  return io({
    transports: ['websocket'],
    reconnection: true,
    reconnectionDelay: 1_000,
    reconnectionDelayMax: 2_000,
  });
}

/**
 * One acknowledged request. While the connection is down it is refused at once (`not_joined`) rather than
 * buffered: socket.io would send it on the next connection before the page has taken its place back
 * (`lesson:resume`). One cut off by a dropped connection is refused `not_joined` too; one the server did not
 * answer in time, `timeout`.
 */
export function request<E extends ClientEvent>(
  socket: LessonSocket,
  event: E,
  payload: RequestOf<E>,
): Promise<Responses[E]> {
  if (!socket.connected) {
    return Promise.reject(new SignalError('not_joined', `${event}: the connection is down`));
  }
  return new Promise((resolve, reject) => {
    const onAck = (err: Error | null, res: Ack<Responses[E]>): void => {
      if (err && !socket.connected) reject(new SignalError('not_joined', `${event}: the connection dropped`));
      else if (err) reject(new SignalError('timeout', `${event}: no answer within ${REQUEST_TIMEOUT_MS} ms`));
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
