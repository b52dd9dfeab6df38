/**
 * Hostile inputs: a value of the schema's shape (or at its bounds), then mutated one to three times —
 * a node replaced by a value of the wrong type or a hostile one, a key removed, a key added (`__proto__`,
 * `constructor`, …), a node wrapped, nested thousands deep or made huge — and plain garbage. Every value
 * is JSON (what Socket.IO and the HTTP API carry), except for the numbers JSON cannot say (NaN, ±Infinity,
 * -0), which travel as what JSON makes of them.
 */
import fc from 'fast-check';
import type { Arb, Node, SchemaLike } from './fuzzSchemas.ts';
import { edge, shaped } from './fuzzSchemas.ts';

/** Keys that change an object's meaning to a careless reader: its prototype, its methods, a thenable. */
export const hostileKeys = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'then',
  'toJSON',
  'length',
  '',
  ' ',
  '0',
  '-1',
  '$where',
  'ok',
  'error',
  '😀',
  '\u0000',
  'a'.repeat(1000),
];

/** An object with an own property `key` (assigning `__proto__` would set the prototype instead). */
export function withKey(o: object, key: string, value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = Object.fromEntries(Object.entries(o));
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const pollution = (): unknown[] => [
  JSON.parse('{"__proto__":{"polluted":"yes","isAdmin":true,"role":"host"}}'),
  JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'),
  JSON.parse('{"__proto__":[]}'),
  JSON.parse('{"__proto__":null}'),
];

const hostileStrings = [
  '',
  ' ',
  '\t\n\r',
  '\u0000',
  '\uD800',
  '\uDFFF',
  'a\uD800b',
  '\uFEFF',
  '\u202Egnp.exe',
  'İstanbul',
  'ß',
  'ﬃ',
  'e\u0301'.repeat(200),
  'Z\u0324\u0354\u0367\u0311\u0313'.repeat(50),
  '😀'.repeat(100),
  '测试'.repeat(40),
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2f',
  '%00',
  '%',
  '<script>alert(1)</script>',
  "' OR '1'='1",
  '"; DROP TABLE lessons; --',
  '${jndi:ldap://127.0.0.1/a}',
  '{{constructor.constructor("return process")()}}',
  '=HYPERLINK("http://127.0.0.1")',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e400',
  'true',
  '[]',
  '{}',
  'a'.repeat(65),
  'a'.repeat(257),
  'a'.repeat(2049),
  'a'.repeat(20_000),
];

const hostileNumbers = [
  NaN,
  Infinity,
  -Infinity,
  -0,
  1e308,
  -1e308,
  5e-324,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53) - 2,
  2 ** 31,
  2 ** 32,
  -1,
  0.1,
  1.5,
];

const hostileStructures = (): unknown[] => [
  [],
  {},
  [null],
  [[]],
  { '': '' },
  [1, 2, 3],
  Array.from({ length: 100 }, () => 'x'),
  true,
  false,
  null,
  ...pollution(),
];

export const hostileValue: Arb = fc.oneof(
  { arbitrary: fc.constantFrom(...hostileStrings), weight: 4 },
  { arbitrary: fc.constantFrom(...hostileNumbers), weight: 3 },
  { arbitrary: fc.constantFrom(...hostileStructures()), weight: 3 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 64 }), weight: 2 },
);

// ---------------------------------------------------------------- mutations

type Path = (string | number)[];
const REMOVE = Symbol('remove');

const ops = [
  'replace',
  'replace',
  'replace',
  'typeSwap',
  'typeSwap',
  'delete',
  'delete',
  'addKey',
  'addKey',
  'wrap',
  'deep',
  'huge',
] as const;
type Op = (typeof ops)[number];

interface Mutation {
  op: Op;
  at: number;
  value: unknown;
  key: string;
  size: number;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom(...ops),
  at: fc.nat(),
  value: hostileValue,
  key: fc.oneof(fc.constantFrom(...hostileKeys), fc.string({ maxLength: 12 })),
  size: fc.nat(),
});

/** Every node's path, breadth first (at most `limit`). */
function pathsOf(root: unknown, limit = 200): Path[] {
  const out: Path[] = [[]];
  for (let i = 0; i < out.length && out.length < limit; i++) {
    const path = out[i]!;
    const node = getAt(root, path);
    if (Array.isArray(node)) node.forEach((_, j) => out.push([...path, j]));
    else if (isObject(node)) for (const k of Object.keys(node)) out.push([...path, k]);
  }
  return out.slice(0, limit);
}

function getAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const step of path) {
    if (Array.isArray(node)) node = node[Number(step)];
    else if (isObject(node)) node = Object.getOwnPropertyDescriptor(node, step)?.value;
    else return undefined;
  }
  return node;
}

/** A copy of `root` with the node at `path` replaced by `f(node)` (or removed). */
function setAt(root: unknown, path: Path, f: (old: unknown) => unknown): unknown {
  if (path.length === 0) {
    const v = f(root);
    return v === REMOVE ? undefined : v;
  }
  const [step, ...rest] = path;
  if (Array.isArray(root)) {
    const i = Number(step);
    const child = setAt(root[i], rest, f);
    const copy = [...root];
    if (rest.length === 0 && f === removeNode) copy.splice(i, 1);
    else copy[i] = child;
    return copy;
  }
  if (isObject(root)) {
    const key = String(step);
    if (rest.length === 0 && f === removeNode)
      return Object.fromEntries(Object.entries(root).filter(([k]) => k !== key));
    return withKey(root, key, setAt(Object.getOwnPropertyDescriptor(root, key)?.value, rest, f));
  }
  return root;
}
const removeNode = (): unknown => REMOVE;

function typeSwap(v: unknown): unknown {
  if (typeof v === 'string') return v.length;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return Number(v);
  if (v === null || v === undefined) return {};
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x]));
  if (isObject(v)) return Object.values(v);
  return null;
}

/** Deeper than JSON.stringify can write (≈ 4,500 here); deeper still is sent as raw packets (fuzzSocketWorker.ts). */
const DEPTHS = [64, 500, 1500, 3000];

function nest(v: unknown, size: number): unknown {
  const depth = DEPTHS[size % DEPTHS.length]!;
  let node = v;
  for (let i = 0; i < depth; i++) node = size % 2 === 0 ? [node] : { a: node };
  return node;
}

/** Large but under the 64 KiB a Socket.IO message may carry (oversize inputs are sent on purpose elsewhere). */
const HUGE: unknown[] = [
  'a'.repeat(50_000),
  '测'.repeat(15_000),
  Array.from({ length: 6000 }, () => 0),
  Array.from({ length: 2000 }, (_, i) => `x${i}`),
  Object.fromEntries(Array.from({ length: 2500 }, (_, i) => [`k${i}`, 1])),
  Array.from({ length: 1500 }, () => ({})),
];
/** Built once and shared (mutations copy what they change, never change a value in place). */
const huge = (size: number): unknown => HUGE[size % HUGE.length];

export function applyMutation(root: unknown, m: Mutation): unknown {
  const paths = pathsOf(root);
  const path = paths[m.at % paths.length]!;
  switch (m.op) {
    case 'replace':
      return setAt(root, path, () => m.value);
    case 'typeSwap':
      return setAt(root, path, typeSwap);
    case 'delete':
      return setAt(root, path, removeNode);
    case 'addKey': {
      const at = [...path];
      while (at.length > 0 && !isObject(getAt(root, at)) && !Array.isArray(getAt(root, at))) at.pop();
      return setAt(root, at, (old) =>
        Array.isArray(old)
          ? [...old, m.value]
          : withKey(isObject(old) ? old : { value: old }, m.key, m.value),
      );
    }
    case 'wrap':
      return setAt(root, path, (old) => (m.size % 2 === 0 ? [old] : { value: old }));
    case 'deep':
      return setAt(root, path, (old) => nest(old, m.size));
    case 'huge':
      return setAt(root, path, () => huge(m.size));
  }
}

// ---------------------------------------------------------------- inputs

/** How an input was made, as the report counts them. */
export type InputClass = 'shaped' | 'edge' | 'mutated' | 'garbage';

export interface Input {
  cls: InputClass;
  value: unknown;
}

/** A valid-shaped or bound value, mutated one to three times. */
export function mutated(n: Node): Arb {
  return fc
    .tuple(fc.oneof(shaped(n), edge(n)), fc.array(mutation, { minLength: 1, maxLength: 3 }))
    .map(([v, ms]) =>
      ms.reduce((value, m) => {
        const next = applyMutation(value, m);
        return m.op !== 'deep' ? next : (sendable(next) ?? value);
      }, v),
    );
}

/** The value, if JSON can write it (two deep nestings on one path go past what JSON.stringify can). */
function sendable(value: unknown): unknown {
  try {
    JSON.stringify([value]);
    return value;
  } catch {
    return undefined;
  }
}

/** Anything at all in place of the payload. */
export const garbage: Arb = fc.oneof(hostileValue, fc.jsonValue({ maxDepth: 4 }), fc.constant(undefined));

/**
 * The mix every event and route draws from: mostly mutated values, then values of the schema's shape
 * (which reach the handlers and their rules), values at the bounds, and garbage.
 */
export function inputs(n: Node): fc.Arbitrary<Input> {
  const as = (cls: InputClass, arb: Arb): fc.Arbitrary<Input> => arb.map((value) => ({ cls, value }));
  return fc.oneof(
    { arbitrary: as('shaped', shaped(n)), weight: 25 },
    { arbitrary: as('edge', edge(n)), weight: 12 },
    { arbitrary: as('mutated', mutated(n)), weight: 53 },
    { arbitrary: as('garbage', garbage), weight: 10 },
  );
}

/** Inputs drawn at once (fast-check's per-call set-up is the larger cost for one input). */
export const CHUNK = 32;

/** Deterministic 32-bit hash of a name (FNV-1a): names each input stream. */
export function streamId(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Draws inputs of one stream in chunks: input `index` of stream `id` under `seed` is always the same. */
export class InputStream<T> {
  readonly #arb: fc.Arbitrary<T>;
  readonly #seed: number;
  readonly #id: number;
  #chunk = -1;
  /** The current chunk; a value is dropped once drawn (hostile values can be large), drawn again if asked again. */
  #values: (T | undefined)[] = [];

  constructor(arb: fc.Arbitrary<T>, seed: number, id: number) {
    this.#arb = arb;
    this.#seed = seed;
    this.#id = id;
  }

  at(index: number): T {
    const chunk = Math.floor(index / CHUNK);
    if (chunk !== this.#chunk || this.#values[index % CHUNK] === undefined) {
      const s =
        (Math.imul(this.#seed ^ 0x9e3779b9, 0x85ebca6b) ^
          Math.imul(this.#id + 1, 0xc2b2ae35) ^
          Math.imul(chunk + 1, 0x27d4eb2f)) |
        0;
      this.#values = fc.sample(this.#arb, { seed: s, numRuns: CHUNK });
      this.#chunk = chunk;
    }
    const value = this.#values[index % CHUNK]!;
    this.#values[index % CHUNK] = undefined;
    return value;
  }
}

/** What the server receives of a value sent as JSON (Socket.IO's encoding and the HTTP bodies'). */
export function overTheWire(value: unknown): unknown {
  const text = JSON.stringify([value]);
  return (JSON.parse(text) as unknown[])[0];
}

/**
 * `value`, made certain to fail `schema`: for inputs that must be refused whatever their shape (a request
 * that would change the store if it were accepted). Breaks the first required field with a boolean.
 */
export function broken(schema: SchemaLike, n: Node, value: unknown): unknown {
  if (!schema.safeParse(overTheWire(value)).success) return value;
  if (n.kind === 'object' && isObject(value)) {
    const first = Object.keys(n.shape).find((k) => !n.optional.includes(k));
    if (first !== undefined) {
      const candidate = withKey(value, first, true);
      if (!schema.safeParse(overTheWire(candidate)).success) return candidate;
    }
  }
  return true;
}
