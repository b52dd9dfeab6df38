/** Socket.IO clients of a CloudSchool server, as tests, benchmarks and simulated classrooms use them. */
import { io as connect } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type {
  Ack,
  ClientEvent,
  ClientToServerEvents,
  RequestOf,
  Responses,
  ServerToClientEvents,
} from '@cloudschool/protocol';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A Socket.IO client; a cookie makes it a logged-in page. */
export async function connectClient(url: string, cookie?: string): Promise<ClientSocket> {
  const socket: ClientSocket = connect(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: cookie ? { cookie } : {},
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Sends a request and returns the raw Ack (tests look at errors too). */
export function request<E extends ClientEvent>(
  socket: ClientSocket,
  event: E,
  payload: RequestOf<E>,
  timeoutMs = 10_000,
): Promise<Ack<Responses[E]>> {
  // Generic event names defeat socket.io-client's tuple typing; the shape is the protocol's own.
  const timed = socket.timeout(timeoutMs);
  const emit = timed.emitWithAck as (e: E, p: RequestOf<E>) => Promise<Ack<Responses[E]>>;
  // socket.io-client's own message ("operation has timed out") does not say which request went unanswered.
  return emit.call(timed, event, payload).catch((error: unknown) => {
    if (!(error instanceof Error) || !/timed out/.test(error.message)) throw error;
    throw new Error(`${event}: no answer within ${timeoutMs} ms`, { cause: error });
  });
}

/** Sends a request that must succeed and returns its data. */
export async function ok<E extends ClientEvent>(
  socket: ClientSocket,
  event: E,
  payload: RequestOf<E>,
  timeoutMs?: number,
): Promise<Responses[E]> {
  const res = await request(socket, event, payload, timeoutMs);
  if (!res.ok) throw new Error(`${event} failed: ${res.error.code} ${res.error.message}`);
  return res.data;
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
