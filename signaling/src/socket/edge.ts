import { z } from 'zod';
import type { Logger } from '../logger.ts';
import { AppError, toAckError } from '../errors.ts';
import { clientEvents, requestSchemas } from '@cloudschool/protocol';
import type { Ack, ClientEvent, Responses } from '@cloudschool/protocol';
import { TokenBucket } from '../TokenBucket.ts';
import type { IoSocket } from './types.ts';

/** Per connection: short bursts are fine (a join is ~6 requests), floods are not. */
const RATE_BURST = 40;
const RATE_PER_SECOND = 20;

export type Handler<E extends ClientEvent> = (
  payload: z.output<(typeof requestSchemas)[E]>,
  socket: IoSocket,
) => Promise<Responses[E]>;

export type HandlerTable = { [E in ClientEvent]: Handler<E> };

const known = new Set<string>(clientEvents);

/**
 * The edge of the control plane: every incoming event is rate-limited,
 * validated against its schema and answered with exactly one Ack. Handlers
 * only ever see parsed payloads; nothing changes on bad input.
 */
export function attachHandlers(socket: IoSocket, handlers: HandlerTable, log: Logger): void {
  const limiter = new TokenBucket(RATE_BURST, RATE_PER_SECOND);

  socket.onAny((event: string, ...args: unknown[]) => {
    if (known.has(event)) return;
    const ack = args.at(-1);
    if (typeof ack === 'function') {
      ack({ ok: false, error: { code: 'unknown_event', message: `unknown event "${event}"` } });
    }
    log.debug({ event }, 'unknown event');
  });

  for (const event of clientEvents) {
    socket.on(event, (...args: unknown[]) => {
      const respond = args.at(-1);
      if (typeof respond !== 'function') {
        log.debug({ event }, 'event without ack ignored');
        return;
      }
      const reply = (res: Ack<unknown>): void => void respond(res);
      if (!limiter.take()) {
        reply({ ok: false, error: { code: 'rate_limited', message: 'too many requests, slow down' } });
        return;
      }
      void run(event, args.length === 2 ? args[0] : undefined, args.length === 2, socket, handlers, log).then(
        reply,
      );
    });
  }
}

async function run<E extends ClientEvent>(
  event: E,
  raw: unknown,
  wellFormed: boolean,
  socket: IoSocket,
  handlers: HandlerTable,
  log: Logger,
): Promise<Ack<Responses[E]>> {
  try {
    if (!wellFormed) throw new AppError('bad_request', 'expected exactly one payload and an ack');
    const parsed = requestSchemas[event].safeParse(raw);
    if (!parsed.success) throw new AppError('bad_request', z.prettifyError(parsed.error));
    const handler: Handler<E> = handlers[event];
    return { ok: true, data: await handler(parsed.data as z.output<(typeof requestSchemas)[E]>, socket) };
  } catch (error) {
    const { ack, unexpected } = toAckError(error);
    if (unexpected) log.error({ err: error, event }, 'handler failed');
    else log.debug({ event, code: ack.code }, ack.message);
    return { ok: false, error: ack };
  }
}
