/**
 * Raw frames for the fuzzer's raw connections: Socket.IO packets that no client library would write —
 * reserved and non-string event names, broken JSON, odd ack ids, other namespaces, binary attachments
 * that do not add up, engine.io packets of every type, nesting 30,000 deep, messages over the size limit,
 * random text and bytes — and handshakes with hostile headers. After each, the raw connection sends a
 * valid request that must be answered unless the frame made the server close the connection.
 */
import fc from 'fast-check';
import type { WireSocket } from './fuzzWire.ts';
import { WireConnectError, WireSocket as Wire } from './fuzzWire.ts';

export interface RawItem {
  frames: (string | Uint8Array)[];
  /** The ack id the frames ask for, if any. */
  ackId?: number;
  /** `ack`: a well-formed request that must be answered (or the connection closed); `any`: whatever is safe. */
  expect: 'ack' | 'any';
  /** The frames leave the namespace or the engine: the connection starts again after it. */
  fresh?: boolean;
  /** Instead of frames: a new connection with hostile handshake headers; answers `connected` or `refused`. */
  handshake?: (url: string) => Promise<string>;
}

export interface RawKind {
  name: string;
  make(index: number, ws: WireSocket): RawItem;
}

const pick = <T>(list: T[], index: number): T => list[index % list.length]!;
const RESERVED = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'];

export function rawKinds(seed: number, ordinal: number): RawKind[] {
  const random = <T>(arb: fc.Arbitrary<T>, index: number): T =>
    fc.sample(arb, {
      seed: (seed ^ Math.imul(ordinal + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) | 0,
      numRuns: 1,
    })[0]!;
  const event = (
    name: string,
    make: (id: number, index: number) => { body: string; expect?: 'ack' | 'any' },
  ): RawKind => ({
    name,
    make: (index, ws) => {
      const id = ws.nextId();
      const { body, expect } = make(id, index);
      return { frames: [body], ackId: id, expect: expect ?? 'any' };
    },
  });
  return [
    event('reserved event name', (id, i) => ({ body: `42${id}["${pick(RESERVED, i)}",{}]` })),
    event('numeric event name', (id, i) => ({ body: `42${id}[${i},{}]`, expect: 'ack' })),
    event('event name not a string', (id, i) => ({
      body: `42${id}${pick(['[{"a":1},{}]', '[null,{}]', '[[],{}]', '[true]', '[]', '{}', '"hand:raise"', '1'], i)}`,
    })),
    event('broken JSON', (id, i) => ({
      body: `42${id}${pick(['["hand:raise",', '[', '["hand:raise",{]', '["hand:raise",{}]]', '["hand:raise",NaN]', "['hand:raise']", '["hand:raise",{"a":1,}]', '["hand:raise",{}'], i)}`,
    })),
    {
      name: 'odd ack ids',
      make: (i, ws) => {
        const id = ws.nextId();
        const body = pick(
          [
            `42${'9'.repeat(16)}["board:sync",{}]`,
            `42${'9'.repeat(30)}["board:sync",{}]`,
            `42${'9'.repeat(400)}["board:sync",{}]`,
            `42-1["board:sync",{}]`,
            `420x1f["board:sync",{}]`,
            `42 5["board:sync",{}]`,
            `420${id}["board:sync",{}]`,
          ],
          i,
        );
        return { frames: [body], expect: 'any', ...(body.startsWith(`420${id}`) ? { ackId: id } : {}) };
      },
    },
    event('another namespace', (id, i) => ({
      body: pick(
        [
          `42/admin,${id}["board:sync",{}]`,
          '40/admin,',
          '40/,{"token":1}',
          `40/${'a'.repeat(1000)},`,
          `42/,${id}["board:sync",{}]`,
        ],
        i,
      ),
    })),
    { name: 'namespace left', make: () => ({ frames: ['41'], expect: 'any', fresh: true }) },
    {
      name: 'binary: bad placeholder',
      make: (i, ws) => {
        const id = ws.nextId();
        const num = pick(['1', '99', '-1', '0.5', '"__proto__"', '"toString"', 'null', '1e9', '{}'], i);
        return {
          frames: [`451-${id}["hand:raise",{"_placeholder":true,"num":${num}}]`, new Uint8Array(8)],
          ackId: id,
          expect: 'any',
        };
      },
    },
    {
      name: 'binary: attachments missing',
      make: (_i, ws) => {
        const id = ws.nextId();
        return {
          frames: [`452-${id}["hand:raise",{"_placeholder":true,"num":0}]`, new Uint8Array(4)],
          ackId: id,
          expect: 'any',
        };
      },
    },
    event('binary: huge attachment count', (id) => ({ body: `45999999999-${id}["hand:raise",{}]` })),
    {
      name: 'binary: frame alone',
      make: (i) => ({ frames: [random(fc.uint8Array({ maxLength: 256 }), i)], expect: 'any' }),
    },
    {
      name: 'ack sent by the client',
      make: (i) => ({
        frames: pick(
          [[`43${i}["x"]`], [`461-${i}[{"_placeholder":true,"num":0}]`, new Uint8Array(2)], ['43["x"]']],
          i,
        ),
        expect: 'any',
      }),
    },
    {
      name: 'unknown packet type',
      make: (i) => ({ frames: [pick(['47', '48[]', '49', '4a', '4', '4\u0000'], i)], expect: 'any' }),
    },
    {
      name: 'engine packet',
      make: (i) => {
        const frame = pick(['9', '5', '6', '', '0', '3', '0{"sid":"x"}', 'x', '1'], i);
        return { frames: [frame], expect: 'any', ...(frame === '1' ? { fresh: true } : {}) };
      },
    },
    event('nested 30,000 deep', (id, i) => ({
      body:
        i % 2 === 0
          ? `42${id}["hand:raise",${'['.repeat(30_000)}${']'.repeat(30_000)}]`
          : `42${id}["hand:raise",${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}]`,
      expect: 'ack',
    })),
    event('over the size limit', (id) => ({ body: `42${id}["hand:raise","${'a'.repeat(70_000)}"]` })),
    event('10,000 arguments', (id) => ({
      body: `42${id}["hand:raise",${'1,'.repeat(10_000)}{}]`,
      expect: 'ack',
    })),
    event('duplicate and prototype keys', (id, i) => ({
      body: `42${id}${pick(
        [
          '["lesson:join",{"lessonId":"x","lessonId":"y","role":"host","__proto__":{"role":"observer","token":"t"}}]',
          '["hand:raise",{"__proto__":{"x":1}}]',
          '["quiz:answer",{"quizId":"q","choices":[0],"constructor":{"prototype":{"polluted":1}}}]',
          '["board:op",{"op":{"type":"view","zoom":1,"x":0,"y":0,"__proto__":{"type":"clear"}}}]',
        ],
        i,
      )}`,
      expect: 'ack',
    })),
    {
      name: 'random text',
      make: (i) => ({
        frames: [pick(['42', '4', '2', ''], i) + random(fc.string({ unit: 'binary', maxLength: 200 }), i)],
        expect: 'any',
      }),
    },
    {
      name: 'random bytes',
      make: (i) => ({ frames: [random(fc.uint8Array({ minLength: 1, maxLength: 512 }), i)], expect: 'any' }),
    },
    {
      name: 'hostile handshake',
      make: (i) => ({
        frames: [],
        expect: 'any',
        handshake: async (url) => {
          const headers = pick<Record<string, string>>(
            [
              { origin: 'http://evil.example' },
              { origin: 'null' },
              { cookie: `cs_session=${'x'.repeat(6000)}` },
              { cookie: 'cs_session=forged-session-id; cs_session=another' },
              { cookie: Array.from({ length: 500 }, (_, k) => `c${k}=${k}`).join('; ') },
              { 'x-forwarded-for': 'not-an-address, ::ffff:1.2.3.4, 999.1.1.1' },
              { referer: 'http://evil.example/page' },
            ],
            i,
          );
          try {
            const ws = await Wire.connect(url, { headers, timeoutMs: 10_000 });
            ws.close();
            return 'connected';
          } catch (error) {
            if (error instanceof WireConnectError) return 'refused';
            throw error;
          }
        },
      }),
    },
  ];
}
