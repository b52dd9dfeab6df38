/** Requests as the benchmarks send them: a loaded 2-core machine answers slower than the tests expect. */
import type { ClientEvent, RequestOf, Responses } from '@cloudschool/protocol';
import { ok as okWithin } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';

/** How long a benchmark waits for an ack before it counts the request as failed. */
export const BENCH_ACK_TIMEOUT_MS = 60_000;

/** A request that must succeed, with the benchmarks' patience. */
export const ok = <E extends ClientEvent>(
  socket: ClientSocket,
  event: E,
  payload: RequestOf<E>,
): Promise<Responses[E]> => okWithin(socket, event, payload, BENCH_ACK_TIMEOUT_MS);
