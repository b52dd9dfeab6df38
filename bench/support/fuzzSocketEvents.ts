/**
 * The Socket.IO events `npm run fuzz` sends (fuzzSocketWorker.ts): which events there are, how a request may be
 * malformed, which side may ever have which request accepted, and each event's input arbitrary.
 */
import fc from 'fast-check';
import { boardStreamSchemas, clientEvents, requestSchemas } from '@cloudschool/protocol';
import type { ClientEvent } from '@cloudschool/protocol';
import type { Input } from './fuzzHostile.ts';
import { garbage, inputs, InputStream, streamId } from './fuzzHostile.ts';
import { inspect } from './fuzzSchemas.ts';
import type { SchemaLike } from './fuzzSchemas.ts';

export type Side = 'anonymous' | 'host' | 'classroom' | 'observer' | 'forged';
export type Phase = 'before' | 'after';

export const STREAM_EVENTS = Object.keys(boardStreamSchemas) as (keyof typeof boardStreamSchemas)[];
export const UNKNOWN = '(unknown event)';
export type FuzzEvent = ClientEvent | (typeof STREAM_EVENTS)[number] | typeof UNKNOWN;
export const fuzzEvents: FuzzEvent[] = [...clientEvents, ...STREAM_EVENTS, UNKNOWN];

/** How a request is sent: as the protocol wants it (payload + ack), or malformed. */
export const MALFORMED = [
  'noAck',
  'nonFunctionAck',
  'twoPayloads',
  'noPayload',
  'binary',
  'binaryInside',
] as const;
export type Form = 'ack' | (typeof MALFORMED)[number];

const HOST_ONLY = new Set<string>([
  'device:admit',
  'device:refuse',
  'page:remove',
  'hand:dismiss',
  'stage:invite',
  'stage:remove',
  'stage:mute',
  'stage:capacity',
  'question:mark',
  'quiz:start',
  'quiz:close',
  'quiz:reveal',
  'chat:history',
  'board:pen:grant',
  'board:pen:revoke',
]);
const CLASSROOM_ONLY = new Set<string>([
  'hand:raise',
  'hand:lower',
  'stage:leave',
  'question:ask',
  'question:vote',
  'quiz:answer',
]);
/** An observer receives everything and sends nothing. */
const OBSERVER_NEVER = new Set<string>([
  ...HOST_ONLY,
  ...CLASSROOM_ONLY,
  'media:produce',
  'media:closeProducer',
  'chat:send',
  'chat:read',
  'board:op',
  'board:stroke:end',
]);

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a connection of this side may ever have this request accepted (`ok: true`). */
export function mayBeAccepted(side: Side, joined: boolean, event: string, payload: unknown): boolean {
  // This server does not allow raw-RTP transports (ALLOW_PLAIN_TRANSPORTS is off).
  if (event === 'media:createPlainTransport' || event === 'media:connectPlainTransport') return false;
  if (!joined)
    return event === 'lesson:join' && (side === 'host' || side === 'classroom' || side === 'observer');
  if (event === 'lesson:join' || event === 'lesson:resume') return false;
  if (side === 'observer') {
    if (OBSERVER_NEVER.has(event)) return false;
    return !(event === 'media:createTransport' && isObject(payload) && payload.direction === 'send');
  }
  if (side === 'classroom') return !HOST_ONLY.has(event);
  if (side === 'host') return !CLASSROOM_ONLY.has(event);
  return false;
}

const UNKNOWN_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'onAny',
  'emit',
  '',
  ' ',
  'lesson:join ',
  'LESSON:JOIN',
  'lesson:join\u0000',
  'media:produce\n',
  'board:op\u200b',
  'lesson:leave',
  'admin:shutdown',
  '😀',
  '课程:加入',
  'a'.repeat(10_000),
];
const known = new Set<string>([...clientEvents, ...STREAM_EVENTS]);
export const unknownArb: fc.Arbitrary<{ name: string; input: Input }> = fc.record({
  name: fc
    .oneof(
      fc.constantFrom(...UNKNOWN_NAMES),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ maxLength: 300 }),
    )
    .filter(
      (n) =>
        !known.has(n) &&
        ![
          'connect',
          'connect_error',
          'disconnect',
          'disconnecting',
          'newListener',
          'removeListener',
        ].includes(n),
    ),
  input: garbage.map((value): Input => ({ cls: 'garbage', value })),
});

/** Each event's arbitrary, built once for all connections (building fast-check's string arbitraries is costly). */
const arbitraries = new Map<string, fc.Arbitrary<Input>>();
export function inputsOf(event: string, schema: SchemaLike): fc.Arbitrary<Input> {
  let arb = arbitraries.get(event);
  if (!arb) arbitraries.set(event, (arb = inputs(inspect(schema))));
  return arb;
}

/** Builds every event's arbitrary now (a few seconds of CPU), so that the hostile run does not stall on it. */
export function prepareInputs(): void {
  for (const event of fuzzEvents) {
    if (event === UNKNOWN) continue;
    inputsOf(event, schemaOf(event));
  }
}

/** The protocol's schema of a request or board stream event. */
export function schemaOf(event: string): SchemaLike {
  const schema: SchemaLike | undefined =
    event in requestSchemas
      ? requestSchemas[event as ClientEvent]
      : event in boardStreamSchemas
        ? boardStreamSchemas[event as keyof typeof boardStreamSchemas]
        : undefined;
  if (!schema) throw new Error(`fuzz: no schema for ${event}`);
  return schema;
}

/**
 * Input `index` of one connection's stream of one event, as its worker draws it (references unresolved):
 * what `--show "<target>#<n> <event> #<index>"` prints.
 */
export function drawSocketInput(
  seed: number,
  target: string,
  ordinal: number,
  event: string,
  index: number,
): unknown {
  const id = streamId(`${target}#${ordinal}|${event === UNKNOWN ? 'unknown' : event}`);
  if (event === UNKNOWN) return new InputStream(unknownArb, seed, id).at(index);
  const schema = schemaOf(event);
  const form = (STREAM_EVENTS as string[]).includes(event)
    ? index % 8 === 3
      ? 'ack'
      : 'noAck'
    : index % 16 === 5
      ? MALFORMED[Math.floor(index / 16) % MALFORMED.length]!
      : 'ack';
  return { form, ...new InputStream(inputsOf(event, schema), seed, id).at(index) };
}
