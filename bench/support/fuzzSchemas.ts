/**
 * The fuzzer's view of the protocol's zod schemas: each schema read once into a small typed tree
 * (`inspect`), and fast-check arbitraries derived from that tree: values of the schema's shape (`shaped`)
 * and values at and just past its bounds (`edge`). fuzzHostile.ts mutates both into hostile inputs.
 *
 * Strings that name something real (a lesson, a classroom, a transport…) are sometimes drawn as a
 * reference (`ref('lesson')`) that the harness resolves when it sends the input, so the same seed draws the
 * same inputs while a run's real ids differ; without them nearly every input would stop at `not_found`.
 */
import fc from 'fast-check';

/** What the fuzzer reads of a zod 4 schema: its definition and `safeParse`. */
export interface SchemaLike {
  _zod: { def: object };
  safeParse(value: unknown): { success: boolean };
}

export function isSchema(value: unknown): value is SchemaLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    '_zod' in value &&
    'safeParse' in value &&
    typeof value.safeParse === 'function'
  );
}

/** Real values of a run, resolved per connection or request when an input is sent. */
export const refNames = [
  'lesson',
  'otherLesson',
  'classroom',
  'otherClassroom',
  'school',
  'account',
  'question',
  'quiz',
  'token',
  'forgedToken',
  'resumeToken',
  'peer',
  'transport',
  'producer',
  'consumer',
  'page',
  'object',
  'file',
  'code',
] as const;
export type RefName = (typeof refNames)[number];

const REF_PREFIX = '\u0000ref:';
export const ref = (name: RefName): string => REF_PREFIX + name;
export function refOf(value: string): RefName | undefined {
  if (!value.startsWith(REF_PREFIX)) return undefined;
  const name = value.slice(REF_PREFIX.length);
  return (refNames as readonly string[]).includes(name) ? (name as RefName) : undefined;
}

/** Which references a field of this name may hold. */
const REFS_BY_KEY: Record<string, RefName[]> = {
  lessonId: ['lesson', 'otherLesson'],
  classroomId: ['classroom', 'otherClassroom'],
  classroomIds: ['classroom', 'otherClassroom'],
  hostClassroomId: ['classroom', 'otherClassroom'],
  schoolId: ['school'],
  schoolIds: ['school'],
  hostTeacherId: ['account'],
  questionId: ['question'],
  quizId: ['quiz'],
  token: ['token', 'forgedToken', 'resumeToken'],
  peerId: ['peer'],
  transportId: ['transport'],
  producerId: ['producer'],
  consumerId: ['consumer'],
  pageId: ['page'],
  after: ['page'],
  objectIds: ['object'],
  fileId: ['file'],
  code: ['code'],
};

// ---------------------------------------------------------------- the schema as a tree

export type Node =
  | { kind: 'string'; min: number; max: number; pattern?: RegExp; format?: string; trims: boolean }
  | { kind: 'number'; min: number; max: number; minOpen: boolean; maxOpen: boolean; int: boolean }
  | { kind: 'boolean' }
  | { kind: 'null' }
  | { kind: 'unknown' }
  | { kind: 'literal'; values: unknown[] }
  | { kind: 'enum'; values: string[] }
  | { kind: 'object'; shape: Record<string, Node>; optional: string[]; strict: boolean }
  | { kind: 'array'; element: Node; min: number; max: number }
  | { kind: 'tuple'; items: Node[] }
  | { kind: 'union'; options: Node[] }
  | { kind: 'record'; key: Node; value: Node }
  | { kind: 'nullable'; inner: Node };

type Def = Record<string, unknown>;
const defOf = (schema: SchemaLike): Def => schema._zod.def as Def;
/** A schema's checks (`.min()`, `.regex()`, …): each a `{ _zod: { def } }` of its own, not a schema. */
const checksOf = (def: Def): Def[] =>
  Array.isArray(def.checks)
    ? def.checks
        .filter((c): c is { _zod: { def: object } } => typeof c === 'object' && c !== null && '_zod' in c)
        .map((c) => c._zod.def as Def)
    : [];
const num = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);
const schemaAt = (value: unknown, what: string): SchemaLike => {
  if (!isSchema(value)) throw new Error(`fuzz: not a schema at ${what}`);
  return value;
};
/** zod 4 marks fields that may be left out (`optional`, `default`) with `optin`. */
const mayBeOmitted = (schema: SchemaLike): boolean =>
  (schema._zod as { optin?: unknown }).optin === 'optional';

/** Reads a zod schema into a Node (throws on a kind the fuzzer does not know, so a new kind is noticed). */
export function inspect(schema: SchemaLike): Node {
  const def = defOf(schema);
  switch (def.type) {
    case 'string': {
      let min = 0;
      let max = Infinity;
      let pattern = def.pattern instanceof RegExp ? def.pattern : undefined;
      let format = typeof def.format === 'string' ? def.format : undefined;
      let trims = false;
      for (const c of checksOf(def)) {
        if (c.check === 'min_length') min = Math.max(min, num(c.minimum, 0));
        else if (c.check === 'max_length') max = Math.min(max, num(c.maximum, Infinity));
        else if (c.check === 'length_equals') min = max = num(c.length, 0);
        else if (c.check === 'string_format') {
          if (c.pattern instanceof RegExp) pattern = c.pattern;
          if (typeof c.format === 'string' && c.format !== 'regex') format = c.format;
        } else if (c.check === 'overwrite') trims = true;
      }
      return {
        kind: 'string',
        min,
        max,
        trims,
        ...(pattern ? { pattern } : {}),
        ...(format ? { format } : {}),
      };
    }
    case 'number': {
      let min = -Infinity;
      let max = Infinity;
      let minOpen = false;
      let maxOpen = false;
      let int = false;
      const formats = [def.format, ...checksOf(def).map((c) => c.format)];
      if (formats.some((f) => f === 'safeint' || f === 'int32' || f === 'uint32')) int = true;
      for (const c of checksOf(def)) {
        if (c.check === 'greater_than') {
          min = num(c.value, min);
          minOpen = c.inclusive !== true;
        } else if (c.check === 'less_than') {
          max = num(c.value, max);
          maxOpen = c.inclusive !== true;
        }
      }
      if (int) {
        min = Math.max(min, Number.MIN_SAFE_INTEGER);
        max = Math.min(max, Number.MAX_SAFE_INTEGER);
      }
      return { kind: 'number', min, max, minOpen, maxOpen, int };
    }
    case 'boolean':
      return { kind: 'boolean' };
    case 'null':
      return { kind: 'null' };
    case 'unknown':
    case 'any':
      return { kind: 'unknown' };
    case 'literal':
      return { kind: 'literal', values: Array.isArray(def.values) ? def.values : [] };
    case 'enum':
      return {
        kind: 'enum',
        values: Object.values(def.entries as Record<string, unknown>).map(String),
      };
    case 'object': {
      const shape: Record<string, Node> = {};
      const optional: string[] = [];
      for (const [key, value] of Object.entries(def.shape as Record<string, unknown>)) {
        const field = schemaAt(value, key);
        shape[key] = inspect(field);
        if (mayBeOmitted(field)) optional.push(key);
      }
      const catchall = isSchema(def.catchall) ? defOf(def.catchall).type : undefined;
      return { kind: 'object', shape, optional, strict: catchall === 'never' };
    }
    case 'array': {
      let min = 0;
      let max = Infinity;
      for (const c of checksOf(def)) {
        if (c.check === 'min_length') min = num(c.minimum, 0);
        else if (c.check === 'max_length') max = num(c.maximum, Infinity);
        else if (c.check === 'length_equals') min = max = num(c.length, 0);
      }
      return { kind: 'array', element: inspect(schemaAt(def.element, 'element')), min, max };
    }
    case 'tuple':
      return {
        kind: 'tuple',
        items: (def.items as unknown[]).map((item, i) => inspect(schemaAt(item, `item ${i}`))),
      };
    case 'union':
      return {
        kind: 'union',
        options: (def.options as unknown[]).map((o, i) => inspect(schemaAt(o, `option ${i}`))),
      };
    case 'record':
      return {
        kind: 'record',
        key: inspect(schemaAt(def.keyType, 'record key')),
        value: inspect(schemaAt(def.valueType, 'record value')),
      };
    case 'optional':
    case 'default':
    case 'readonly':
    case 'nonoptional':
      return inspect(schemaAt(def.innerType, String(def.type)));
    case 'nullable':
      return { kind: 'nullable', inner: inspect(schemaAt(def.innerType, 'nullable')) };
    case 'pipe':
      return inspect(schemaAt(def.in, 'pipe'));
    default:
      throw new Error(`fuzz: zod schema type "${String(def.type)}" is not known to the fuzzer`);
  }
}

// ---------------------------------------------------------------- values of the schema's shape

export type Arb = fc.Arbitrary<unknown>;

const SMALL = 6;

const freeString = (min: number, max: number): fc.Arbitrary<string> => {
  const maxLength = Math.min(max, min + 24);
  return fc.oneof(
    fc.string({ unit: 'grapheme-ascii', minLength: min, maxLength }),
    fc.string({ unit: 'grapheme', minLength: min, maxLength }),
    fc.string({ unit: fc.constantFrom(...'老师好数学语文六年级一中主讲教室'), minLength: min, maxLength }),
  );
};

function shapedString(n: Extract<Node, { kind: 'string' }>): fc.Arbitrary<string> {
  const lengthOk = (s: string): boolean => s.length >= n.min && s.length <= n.max;
  switch (n.format) {
    case 'ipv4':
      return fc.ipV4();
    case 'base64':
      return fc
        .base64String({ minLength: n.min, maxLength: Number.isFinite(n.max) ? n.max : 64 })
        .filter(lengthOk);
    case 'datetime':
      return fc
        .date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2040-01-01T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString());
    case 'date':
      return fc
        .date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2040-01-01T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString().slice(0, 10));
    default:
      if (n.pattern) return fc.stringMatching(n.pattern).filter(lengthOk);
      return freeString(n.min, n.max);
  }
}

function shapedNumber(n: Extract<Node, { kind: 'number' }>): fc.Arbitrary<number> {
  if (n.int) {
    const min = Number.isFinite(n.min)
      ? Math.ceil(n.min) + (n.minOpen && Number.isInteger(n.min) ? 1 : 0)
      : -1e6;
    const max = Number.isFinite(n.max)
      ? Math.floor(n.max) - (n.maxOpen && Number.isInteger(n.max) ? 1 : 0)
      : 1e6;
    return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max));
  }
  const min = Number.isFinite(n.min) ? n.min : -1e6;
  const max = Number.isFinite(n.max) ? n.max : 1e6;
  return fc.double({
    min,
    max,
    minExcluded: n.minOpen,
    maxExcluded: n.maxOpen,
    noNaN: true,
    noDefaultInfinity: true,
  });
}

/** Values of the schema's shape (refinements aside: an input may still fail a `.refine`). */
export function shaped(n: Node, key?: string): Arb {
  const refs = key ? REFS_BY_KEY[key] : undefined;
  const base = shapedBase(n, key);
  // An array of ids passes its key to its elements (shapedBase), so only strings draw references here.
  if (!refs || n.kind !== 'string') return base;
  return fc.oneof(
    { arbitrary: base, weight: 2 },
    { arbitrary: fc.constantFrom(...refs.map(ref)), weight: 3 },
  );
}

function shapedBase(n: Node, key?: string): Arb {
  switch (n.kind) {
    case 'string':
      return shapedString(n);
    case 'number':
      return shapedNumber(n);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'unknown':
      return fc.oneof(fc.boolean(), fc.integer(), fc.string({ maxLength: 16 }));
    case 'literal':
      return fc.constantFrom(...n.values);
    case 'enum':
      return fc.constantFrom(...n.values);
    case 'object': {
      const model: Record<string, Arb> = {};
      for (const [k, field] of Object.entries(n.shape)) model[k] = shaped(field, k);
      const required = Object.keys(n.shape).filter((k) => !n.optional.includes(k));
      return fc.record(model, { requiredKeys: required });
    }
    case 'array': {
      const element = shaped(n.element, key);
      return fc.array(element, { minLength: n.min, maxLength: Math.min(n.max, n.min + SMALL) });
    }
    case 'tuple':
      return fc.tuple(...n.items.map((item) => shaped(item)));
    case 'union':
      return fc.oneof(...n.options.map((o) => shaped(o, key)));
    case 'record':
      return fc.dictionary(
        shaped(n.key).filter((k): k is string => typeof k === 'string'),
        shaped(n.value),
        { maxKeys: 4 },
      );
    case 'nullable':
      return fc.oneof(shaped(n.inner, key), fc.constant(null));
  }
}

// ---------------------------------------------------------------- values at and just past the bounds

const nextUp = (x: number): number => x + Math.max(Number.EPSILON, Math.abs(x) * Number.EPSILON);
const nextDown = (x: number): number => x - Math.max(Number.EPSILON, Math.abs(x) * Number.EPSILON);

function edgeNumbers(n: Extract<Node, { kind: 'number' }>): number[] {
  const out = [0, -0, 1, -1];
  for (const b of [n.min, n.max]) {
    if (!Number.isFinite(b)) continue;
    out.push(b, b - 1, b + 1, nextUp(b), nextDown(b));
    if (n.int) out.push(b + 0.5, b - 0.5);
  }
  out.push(
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    -Number.MAX_SAFE_INTEGER - 2,
    2 ** 31,
    -(2 ** 31) - 1,
  );
  out.push(1e308, -1e308, 5e-324, NaN, Infinity, -Infinity);
  return out;
}

/** Strings of lengths at and around the bounds, of one-unit, multi-byte and two-unit (surrogate pair) characters. */
function edgeStrings(n: Extract<Node, { kind: 'string' }>): fc.Arbitrary<string> {
  const cap = (len: number): number => Math.max(0, Math.min(len, 20_000));
  const lengths = [n.min, n.min - 1, n.max, n.max + 1, 2 * n.max + 1].filter(Number.isFinite).map(cap);
  if (!Number.isFinite(n.max)) lengths.push(1024, 20_000);
  const filled = fc
    .tuple(fc.constantFrom(...lengths), fc.constantFrom('a', '测', '😀', ' ', '\u0000', '\u200b', 'é'))
    .map(([len, ch]) => ch.repeat(Math.ceil(len / ch.length)).slice(0, Math.max(len, 0)));
  if (!n.pattern && !n.format) return filled;
  // A valid value, just broken: a character more, a trailing newline, a space, a look-alike letter.
  const broken = fc
    .tuple(shapedString(n), fc.constantFrom('x', '\n', ' ', 'А', '0', '\u0000', '-', '_', '%'), fc.nat())
    .map(([s, extra, at]) => {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      return s.slice(0, i) + extra + s.slice(i);
    });
  return fc.oneof(filled, broken);
}

const enumLookalikes = (value: string): string[] => [
  value.toUpperCase(),
  ` ${value}`,
  `${value} `,
  `${value}\u0000`,
  value.replace(/o/g, 'о'), // Cyrillic o
  value.slice(0, -1),
  '',
  '__proto__',
];

/** Values at and just past the schema's bounds, and near misses of its enums and literals. */
export function edge(n: Node, key?: string): Arb {
  switch (n.kind) {
    case 'string':
      return edgeStrings(n);
    case 'number':
      return fc.constantFrom(...edgeNumbers(n));
    case 'boolean':
      return fc.constantFrom(0, 1, 'true', 'false', null);
    case 'null':
      return fc.constantFrom(0, '', 'null', false);
    case 'unknown':
      return fc.constantFrom('x'.repeat(257), 1e308, {}, [], null);
    case 'literal':
    case 'enum':
      return fc.constantFrom(...n.values.flatMap((v) => (typeof v === 'string' ? enumLookalikes(v) : [v])));
    case 'object': {
      const model: Record<string, Arb> = {};
      for (const [k, field] of Object.entries(n.shape)) model[k] = fc.oneof(shaped(field, k), edge(field, k));
      const required = Object.keys(n.shape).filter((k) => !n.optional.includes(k));
      return fc.record(model, { requiredKeys: required });
    }
    case 'array': {
      const lengths = [n.min - 1, n.max, n.max + 1].filter((l) => Number.isFinite(l) && l >= 0);
      if (!Number.isFinite(n.max)) lengths.push(1000);
      const element = shaped(n.element, key);
      return fc
        .tuple(fc.constantFrom(...lengths.map((l) => Math.min(l, 2100))), element)
        .map(([len, one]) => Array.from({ length: len }, () => one));
    }
    case 'tuple':
      return fc.oneof(
        fc.tuple(...n.items.map((item) => fc.oneof(shaped(item), edge(item)))),
        fc.tuple(...n.items.map((item) => shaped(item))).map((t) => t.slice(0, -1)),
        fc.tuple(...n.items.map((item) => shaped(item))).map((t) => [...t, 0]),
      );
    case 'union':
      return fc.oneof(...n.options.map((o) => edge(o, key)));
    case 'record':
      return fc.oneof(
        fc.dictionary(fc.string({ maxLength: 80 }), shaped(n.value), { minKeys: 30, maxKeys: 40 }),
        fc.dictionary(
          shaped(n.key).filter((k): k is string => typeof k === 'string'),
          edge(n.value),
          { maxKeys: 3 },
        ),
      );
    case 'nullable':
      return edge(n.inner, key);
  }
}
