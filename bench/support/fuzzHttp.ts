/**
 * The HTTP half of `npm run fuzz`: every route the server registers (read from signaling/src, so a new
 * route is fuzzed without being listed here) × every kind of caller, with hostile path ids (traversal,
 * unicode, very long, percent-encoding that does not decode), queries, bodies of the wrong type, size and
 * encoding, bad JSON, wrong content types and hostile headers; and raw bytes that are not HTTP at all.
 * Every answer must be a status under 500, and an error must carry a code from errorCodes. A caller with a
 * real login only ever sends what must be refused (a broken body, or an id that names nothing), so that
 * the store is left as it was: a change-making request answered 2xx is a finding.
 */
import http from 'node:http';
import net from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import * as protocol from '@cloudschool/protocol';
import { ROOT } from '@cloudschool/testkit';
import type { Input } from './fuzzHostile.ts';
import { broken, inputs, InputStream, overTheWire, streamId } from './fuzzHostile.ts';
import { inspect, isSchema, refOf } from './fuzzSchemas.ts';
import type { Node, RefName, SchemaLike } from './fuzzSchemas.ts';
import type { Fixture } from './fuzzServer.ts';
import type { Tally } from './fuzzTally.ts';
import { excerpt, isErrorCode } from './fuzzTally.ts';

export interface Route {
  method: string;
  path: string;
  /** `METHOD /path`, as reports name it. */
  key: string;
  params: string[];
}

/** Every route registered in signaling/src (`router.get('/api/…'` and the like). */
export function discoverRoutes(): Route[] {
  const found = new Map<string, Route>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(p, 'utf8');
        for (const m of text.matchAll(/router\.(get|post|put|patch|delete)\(\s*(['"`])([^'"`]+)\2/g)) {
          const method = m[1]!.toUpperCase();
          const routePath = m[3]!;
          const key = `${method} ${routePath}`;
          found.set(key, {
            method,
            path: routePath,
            key,
            params: [...routePath.matchAll(/:(\w+)/g)].map((x) => x[1]!),
          });
        }
      }
    }
  };
  walk(path.join(ROOT, 'signaling/src'));
  return [...found.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** A protocol schema by its export name, if the protocol has it (routes come and go; the table need not). */
function named(name: string): SchemaLike | undefined {
  const value: unknown = (protocol as Record<string, unknown>)[name];
  return isSchema(value) ? value : undefined;
}

const BODY_SCHEMAS: Record<string, string> = {
  'POST /api/auth/login': 'loginRequest',
  'POST /api/auth/password': 'changePasswordRequest',
  'POST /api/accounts': 'createAccountRequest',
  'PUT /api/accounts/:id': 'updateAccountRequest',
  'POST /api/accounts/:id/password': 'resetPasswordRequest',
  'POST /api/schools': 'schoolRequest',
  'POST /api/classrooms': 'classroomRequest',
  'PUT /api/classrooms/:id': 'classroomRequest',
  'POST /api/lessons': 'lessonRequest',
  'PUT /api/lessons/:id': 'lessonRequest',
  'POST /api/join/code': 'joinByCodeRequest',
};
const QUERY_SCHEMAS: Record<string, string> = {
  'GET /api/lessons': 'listLessonsQuery',
  'GET /api/audit': 'auditQuery',
  'GET /api/audit.csv': 'auditQuery',
};
/** POSTs that change nothing the fuzzer compares (they only read, or refuse). */
const READS_BY_POST = new Set(['POST /api/auth/login', 'POST /api/join/code']);
/** Answers 204 to anyone: it ends the session the cookie names, and the fuzzer's cookies name none. */
const LOGOUT = 'POST /api/auth/logout';
/** Node's own limit on a request's head: past it the server answers 431 and closes (the client may see a reset). */
const MAX_HEAD_BYTES = 16 * 1024;

const CALLERS = [
  'anonymous',
  'coordinator',
  'teacher',
  'otherTeacher',
  'classroomToken',
  'forgedToken',
  'junkCookie',
] as const;
type Caller = (typeof CALLERS)[number];
const SESSIONS = new Set<Caller>(['coordinator', 'teacher', 'otherTeacher']);

/** What a path parameter names, by its name and the route it is in. */
function entityOf(route: Route, param: string): RefName | 'calendar' {
  if (param === 'lessonId') return 'lesson';
  if (param === 'classroomId') return 'classroom';
  if (param === 'fileId') return 'file';
  if (param === 'file') return 'calendar';
  if (route.path.startsWith('/api/classrooms')) return 'classroom';
  if (route.path.startsWith('/api/accounts')) return 'account';
  if (route.path.startsWith('/api/schools')) return 'school';
  return 'lesson';
}

const encodeAll = (s: string): string =>
  [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');

/** A path parameter: the real id (plain, fully percent-encoded, with a trailing slash) or a hostile one. */
type ParamChoice =
  | { mode: 'real' | 'realEncoded' | 'realSlash' }
  | { mode: 'hostile'; text: string }
  | { mode: 'nearMiss'; how: number };

const HOSTILE_SEGMENTS = [
  '..',
  '.',
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..\\..\\windows',
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '%ff%fe',
  encodeURIComponent('课程'),
  encodeURIComponent('😀'),
  encodeURIComponent('\u0000'),
  'caf\u00e9',
  encodeURIComponent(' '),
  '__proto__',
  'constructor',
  'prototype',
  encodeURIComponent('a'.repeat(65)),
  'a'.repeat(1000),
  'a'.repeat(10_000),
  'a'.repeat(20_000),
  encodeURIComponent('<script>'),
  encodeURIComponent("' OR 1=1 --"),
  '%2F',
  ';x=1',
  encodeURIComponent('?t=x'),
  encodeURIComponent('#x'),
  '',
];

const paramArb: fc.Arbitrary<ParamChoice> = fc.oneof(
  {
    arbitrary: fc.constantFrom<ParamChoice>({ mode: 'real' }, { mode: 'realEncoded' }, { mode: 'realSlash' }),
    weight: 3,
  },
  {
    arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS).map((text): ParamChoice => ({ mode: 'hostile', text })),
    weight: 5,
  },
  {
    arbitrary: fc.string({ unit: 'binary', maxLength: 80 }).map((s): ParamChoice => ({
      mode: 'hostile',
      text: encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '')),
    })),
    weight: 2,
  },
  { arbitrary: fc.nat({ max: 5 }).map((how): ParamChoice => ({ mode: 'nearMiss', how })), weight: 2 },
);

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/json; charset=nope',
  'application/json; charset=utf-8',
  'application/vnd.api+json',
  'text/csv; charset=latin1',
  'image/png',
  'application/pdf',
  '',
  'a'.repeat(1000),
  'application/json, text/csv',
];

const BAD_JSON = [
  '',
  '{',
  '{"a":',
  '{"a":1,}',
  'NaN',
  'undefined',
  "{'a':1}",
  '{"a":1}{"b":2}',
  '\uFEFF{"username":"a","password":"b"}',
  '{"__proto__":{"isAdmin":true,"role":"coordinator"}}',
  '{"constructor":{"prototype":{"role":"coordinator"}}}',
  '{"role":"teacher","role":"coordinator"}',
  '"\\ud800"',
  '[' + '['.repeat(100_000) + ']'.repeat(100_000) + ']',
  '{"a":' + '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_001),
  JSON.stringify({ big: 'x'.repeat(300_000) }),
  JSON.stringify(Array.from({ length: 30_000 }, (_, i) => i)),
  '1e999',
  '-0',
  'null',
  'true',
  '[]',
  '"x"',
];

interface HttpRequest {
  caller: Caller;
  method: string;
  params: ParamChoice[];
  query: { kind: 'schema'; input: Input } | { kind: 'raw'; text: string };
  body:
    | { kind: 'json'; input: Input }
    | { kind: 'badJson'; text: string }
    | { kind: 'csv'; text: string }
    | { kind: 'bytes'; bytes: Uint8Array }
    | { kind: 'none' };
  contentType: number;
  headers: number[];
  xff: string;
}

const RAW_QUERIES = [
  '',
  '',
  '',
  'a[]=1&a[]=2',
  '__proto__[x]=1&constructor[prototype][x]=1',
  'from=x&from=y',
  '%=%',
  'x=' + 'a'.repeat(5000),
  't=' + 'x'.repeat(40),
  'key=not-a-key',
  'from=2026-01-01T00:00:00Z&to=2020-01-01T00:00:00Z',
  'from=0000-00-00T00:00:00Z&to=9999-99-99T99:99:99Z',
  'cursor=' + encodeURIComponent('{"__proto__":1}'),
  'limit=-1',
  'limit=1e9',
];

/** Hostile headers, by index: none most of the time. */
const EXTRA_HEADERS: Record<string, string>[] = [
  { origin: 'http://evil.example' },
  { origin: 'null' },
  { referer: 'http://evil.example/x' },
  { 'x-forwarded-host': 'evil.example' },
  { 'content-encoding': 'gzip' },
  { 'content-encoding': 'br' },
  { 'content-encoding': 'x-unknown' },
  { accept: '*/*;q=0.' + '9'.repeat(500) },
  { 'x-huge': 'h'.repeat(12_000) },
  { authorization: 'Bearer ' + 'x'.repeat(3000) },
  { authorization: 'Basic YWRtaW46YWRtaW4=' },
  { 'transfer-encoding': 'chunked' },
  { range: 'bytes=0-1,2-3,4-5,6-7,8-9,10-11,12-13,14-15' },
  { 'if-none-match': '*' },
];

function requestArb(
  route: Route,
  bodyNode: Node | undefined,
  queryNode: Node | undefined,
): fc.Arbitrary<HttpRequest> {
  const csv = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 400 }),
    fc
      .tuple(
        fc.constantFrom(
          'school,province,city,district,classroom,kind',
          '学校,省,市,区县,教室,类型',
          'kind,school',
          '',
          '\uFEFFschool,province,city,district,classroom,kind,notes',
          'a,'.repeat(5000),
        ),
        fc.array(
          fc.oneof(
            fc
              .array(
                fc.oneof(
                  fc.string({ maxLength: 20 }),
                  fc.constantFrom(
                    '"',
                    '""',
                    '"a"b',
                    '=cmd|calc',
                    '@SUM(1)',
                    '+1',
                    '-1',
                    '\u0000',
                    '主讲',
                    '听课',
                    'host',
                    'remote',
                    'x'.repeat(200),
                  ),
                ),
                { maxLength: 9 },
              )
              .map((cells) => cells.join(',')),
            fc.constantFrom('"unclosed', 'a,b,"c""d",e', '\r', '\r\n', ',,,,,,', 'x'.repeat(3000)),
          ),
          { maxLength: 12 },
        ),
      )
      .map(([header, rows]) => [header, ...rows].join('\n')),
    fc.constantFrom('school\n' + 'x\n'.repeat(25_000), 'a'.repeat(2 * 1024 * 1024 + 10)),
  );
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 2000 }),
    fc.constantFrom(
      new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d]),
      new Uint8Array([0x89, 0x50, 0x4e]),
      new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0]),
      new Uint8Array(0),
    ),
  );
  const isWrite = route.method !== 'GET';
  const body: fc.Arbitrary<HttpRequest['body']> = bodyNode
    ? fc.oneof(
        { arbitrary: inputs(bodyNode).map((input) => ({ kind: 'json' as const, input })), weight: 7 },
        {
          arbitrary: fc.constantFrom(...BAD_JSON).map((text) => ({ kind: 'badJson' as const, text })),
          weight: 3,
        },
      )
    : route.key === 'POST /api/roster/import'
      ? csv.map((text) => ({ kind: 'csv' as const, text }))
      : route.key.endsWith('/courseware') && route.method === 'POST'
        ? bytes.map((b) => ({ kind: 'bytes' as const, bytes: b }))
        : isWrite
          ? fc.oneof(
              { arbitrary: fc.constant({ kind: 'none' as const }), weight: 3 },
              {
                arbitrary: fc.constantFrom(...BAD_JSON).map((text) => ({ kind: 'badJson' as const, text })),
                weight: 2,
              },
            )
          : fc.oneof(
              { arbitrary: fc.constant({ kind: 'none' as const }), weight: 9 },
              {
                arbitrary: fc
                  .constantFrom(...BAD_JSON.slice(0, 8))
                  .map((text) => ({ kind: 'badJson' as const, text })),
                weight: 1,
              },
            );
  const query: fc.Arbitrary<HttpRequest['query']> = queryNode
    ? fc.oneof(
        { arbitrary: inputs(queryNode).map((input) => ({ kind: 'schema' as const, input })), weight: 8 },
        {
          arbitrary: fc.constantFrom(...RAW_QUERIES).map((text) => ({ kind: 'raw' as const, text })),
          weight: 2,
        },
      )
    : fc.constantFrom(...RAW_QUERIES).map((text) => ({ kind: 'raw' as const, text }));
  return fc.record({
    caller: fc.constantFrom(...CALLERS),
    method: fc.oneof(
      { arbitrary: fc.constant(route.method), weight: 23 },
      {
        arbitrary: fc.constantFrom(
          'GET',
          'POST',
          'PUT',
          'DELETE',
          'PATCH',
          'OPTIONS',
          'HEAD',
          'PROPFIND',
          'TRACE',
        ),
        weight: 2,
      },
    ),
    params: fc.tuple(...route.params.map(() => paramArb)),
    query,
    body,
    contentType: fc.oneof(
      { arbitrary: fc.constant(-1), weight: 8 },
      { arbitrary: fc.nat({ max: CONTENT_TYPES.length - 1 }), weight: 2 },
    ),
    headers: fc.oneof(
      { arbitrary: fc.constant<number[]>([]), weight: 8 },
      {
        arbitrary: fc.array(fc.nat({ max: EXTRA_HEADERS.length - 1 }), { minLength: 1, maxLength: 2 }),
        weight: 2,
      },
    ),
    xff: fc.oneof(
      { arbitrary: fc.constant(''), weight: 7 },
      { arbitrary: fc.ipV4(), weight: 2 },
      { arbitrary: fc.constantFrom('garbage', '::1, 1.2.3.4', ' '.repeat(10), 'a'.repeat(500)), weight: 1 },
    ),
  });
}

/** Request `index` of a route's stream, as drawn (before the caller's credentials and references): `--show "http <route> #<index>"`. */
export function drawHttpRequest(key: string, seed: number, index: number): unknown {
  const route = discoverRoutes().find((r) => r.key === key);
  if (!route) throw new Error(`no route ${key}`);
  const body = BODY_SCHEMAS[key] ? named(BODY_SCHEMAS[key]!) : undefined;
  const query = QUERY_SCHEMAS[key] ? named(QUERY_SCHEMAS[key]!) : undefined;
  const arb = requestArb(route, body ? inspect(body) : undefined, query ? inspect(query) : undefined);
  return new InputStream(arb, seed, streamId(`http|${route.key}`)).at(index);
}

interface Prepared {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** The request would change the store if it were accepted. */
  changes: boolean;
  caller: Caller;
}

/** Sets of a route's fuzzing: its arbitrary, schemas, and the fixture's real values. */
class RouteFuzz {
  readonly route: Route;
  readonly #bodySchema: SchemaLike | undefined;
  readonly #bodyNode: Node | undefined;
  readonly stream: InputStream<HttpRequest>;
  readonly #f: Fixture;

  constructor(route: Route, f: Fixture, seed: number) {
    this.route = route;
    this.#f = f;
    this.#bodySchema = BODY_SCHEMAS[route.key] ? named(BODY_SCHEMAS[route.key]!) : undefined;
    this.#bodyNode = this.#bodySchema ? inspect(this.#bodySchema) : undefined;
    const querySchema = QUERY_SCHEMAS[route.key] ? named(QUERY_SCHEMAS[route.key]!) : undefined;
    this.stream = new InputStream(
      requestArb(route, this.#bodyNode, querySchema ? inspect(querySchema) : undefined),
      seed,
      streamId(`http|${route.key}`),
    );
  }

  #real(entity: RefName | 'calendar', index: number): string {
    const f = this.#f;
    const l0 = f.lessons[0]!;
    switch (entity) {
      case 'lesson':
        return index % 3 === 0 ? f.laterLessonId : l0.id;
      case 'classroom':
        return l0.classroomIds[index % l0.classroomIds.length]!;
      case 'calendar':
        return `${l0.classroomIds[0]}.ics`;
      case 'file':
        return f.fileId;
      case 'account':
        return f.teachers[index % f.teachers.length]!.id;
      case 'school':
        return f.schoolIds[0]!;
      default:
        return l0.id;
    }
  }

  #refValue(name: RefName, index: number): string {
    const f = this.#f;
    const l0 = f.lessons[0]!;
    switch (name) {
      case 'lesson':
        return l0.id;
      case 'otherLesson':
        return f.laterLessonId;
      case 'classroom':
      case 'otherClassroom':
        return l0.classroomIds[index % l0.classroomIds.length]!;
      case 'school':
        return f.schoolIds[index % f.schoolIds.length]!;
      case 'account':
        return f.teachers[index % f.teachers.length]!.id;
      case 'code':
        return f.codes[index % f.codes.length]!;
      case 'token':
      case 'forgedToken':
        return f.forgedTokens[index % f.forgedTokens.length]!;
      case 'file':
        return f.fileId;
      default:
        return 'x';
    }
  }

  #resolve(value: unknown, index: number, depth = 0): unknown {
    if (typeof value === 'string') {
      const name = refOf(value);
      return name ? this.#refValue(name, index) : value;
    }
    if (depth > 64) return value;
    if (Array.isArray(value)) return value.map((v) => this.#resolve(v, index, depth + 1));
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, this.#resolve(v, index, depth + 1)]),
      );
    return value;
  }

  prepare(index: number): Prepared {
    const r = this.stream.at(index);
    const route = this.route;
    let caller = r.caller;
    let anyHostileParam = false;
    const segments = route.params.map((param, i) => {
      const choice = r.params[i]!;
      const real = this.#real(entityOf(route, param), index + i);
      switch (choice.mode) {
        case 'real':
          return encodeURIComponent(real);
        case 'realEncoded':
          return encodeAll(real);
        case 'realSlash':
          return i === route.params.length - 1 ? `${encodeURIComponent(real)}/` : encodeURIComponent(real);
        case 'nearMiss': {
          anyHostileParam = true;
          const near = [
            real.toUpperCase(),
            `${real} `,
            `${real}\u0000`,
            real.slice(0, -1),
            `${real}x`,
            ` ${real}`,
          ][choice.how]!;
          return near === real ? `${real}x` : component(near);
        }
        case 'hostile':
          anyHostileParam = true;
          return choice.text;
      }
    });
    let p = route.path;
    route.params.forEach((param, i) => {
      p = p.replace(`:${param}`, segments[i]!);
    });
    // The query.
    let query = r.query.kind === 'raw' ? r.query.text : toQuery(this.#resolve(r.query.input.value, index));
    // The body and its type.
    let body: Buffer | undefined;
    let type: string | undefined;
    const b = r.body;
    if (b.kind === 'json') {
      const value = this.#resolve(b.input.value, index);
      const text = JSON.stringify(value);
      body = text === undefined ? undefined : Buffer.from(text);
      type = 'application/json';
    } else if (b.kind === 'badJson') {
      body = Buffer.from(b.text);
      type = 'application/json';
    } else if (b.kind === 'csv') {
      body = Buffer.from(b.text);
      type = 'text/csv';
    } else if (b.kind === 'bytes') {
      body = Buffer.from(b.bytes);
      type = ['image/png', 'application/pdf', 'image/jpeg', 'image/gif', 'text/html'][index % 5];
    }
    if (r.contentType >= 0) type = CONTENT_TYPES[r.contentType];
    const method = r.method;
    const wrongMethod = method !== route.method;
    const changes =
      !['GET', 'HEAD', 'OPTIONS'].includes(method) &&
      !(method === 'POST' && READS_BY_POST.has(route.key) && !wrongMethod);
    // A caller with a real login sends only what must be refused.
    if (SESSIONS.has(caller) && (changes || wrongMethod)) {
      if (route.key === LOGOUT || route.key.endsWith('/sessions/revoke')) caller = 'junkCookie';
      else if (anyHostileParam) {
        // An id that names nothing: refused whatever the body.
      } else if (wrongMethod) caller = 'junkCookie';
      else if (this.#bodySchema && this.#bodyNode && body !== undefined) {
        body = Buffer.from(breakJson(this.#bodySchema, this.#bodyNode, body.toString()));
      } else if (b.kind === 'csv' && body !== undefined) {
        // A line no roster accepts: the whole file is refused.
        body = Buffer.concat([body, Buffer.from(`\n${Array(7).fill(`badkind-${index}`).join(',')}`)]);
      } else if (b.kind === 'bytes' && body !== undefined) {
        body = Buffer.concat([Buffer.from('XX'), body]);
      } else caller = 'junkCookie';
    }
    const headers: Record<string, string> = {};
    const f = this.#f;
    if (caller === 'coordinator') headers.cookie = f.coordinatorCookie;
    else if (caller === 'teacher') headers.cookie = f.teachers[0]!.cookie;
    else if (caller === 'otherTeacher') headers.cookie = f.teachers[1 % f.teachers.length]!.cookie;
    else if (caller === 'junkCookie')
      headers.cookie = [
        'cs_session=forged',
        'cs_session=',
        `cs_session=${'x'.repeat(4000)}`,
        'cs_session=a; cs_session=b',
      ][index % 4]!;
    const token =
      caller === 'classroomToken'
        ? f.lessons[0]!.tokens[0]!
        : caller === 'forgedToken'
          ? f.forgedTokens[index % f.forgedTokens.length]!
          : undefined;
    if (token) {
      headers.authorization = `Bearer ${token}`;
      query = `${query ? `${query}&` : ''}t=${encodeURIComponent(token)}`;
    }
    if (type !== undefined && body !== undefined) headers['content-type'] = type;
    for (const h of r.headers) Object.assign(headers, EXTRA_HEADERS[h]);
    if (r.xff) headers['x-forwarded-for'] = r.xff;
    return { method, path: query ? `${p}?${query}` : p, headers, body, changes, caller };
  }
}

/** The text of a JSON body that `schema` refuses. */
function breakJson(schema: SchemaLike, node: Node, text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (!schema.safeParse(parsed).success) return text;
  return JSON.stringify(overTheWire(broken(schema, node, parsed)));
}

/**
 * Requests Node's HTTP parser refuses before the app sees them (answering 400 and closing, which a client
 * still sending its body sees as a reset): both Transfer-Encoding and Content-Length, raw bytes outside
 * ASCII in the path.
 */
function parserRefuses(p: Prepared): boolean {
  return (
    (p.headers['transfer-encoding'] !== undefined && p.body !== undefined) || /[^\x21-\x7e]/.test(p.path)
  );
}

/** A URL component of any string (a lone surrogate, which encodeURIComponent refuses, becomes U+FFFD). */
const component = (s: string): string => encodeURIComponent(s.toWellFormed());

/** A value as a query string: objects by key, arrays as repeated keys, anything else as `value=`. */
function toQuery(value: unknown): string {
  const enc = (v: unknown): string => component(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
  if (typeof value !== 'object' || value === null) return value === undefined ? '' : `value=${enc(value)}`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v)) for (const x of v.slice(0, 50)) parts.push(`${component(k)}=${enc(x)}`);
    else if (v !== undefined) parts.push(`${component(k)}=${enc(v)}`);
  }
  return parts.join('&');
}

interface Answer {
  status: number;
  body: string;
  ms: number;
  /** Node's HTTP parser refused the request (400 with no body and no type): the app never saw it. */
  parser: boolean;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function send(url: URL, p: Prepared, timeoutMs: number): Promise<Answer | { error: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let req: http.ClientRequest;
    try {
      req = http.request({
        host: url.hostname,
        port: url.port,
        method: p.method,
        path: p.path,
        headers: { ...p.headers, ...(p.body ? { 'content-length': String(p.body.length) } : {}) },
        agent,
        timeout: timeoutMs,
      });
    } catch (error) {
      resolve({ error: `client refused: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 512 * 1024) chunks.push(c);
      });
      const answer = (body: string): Answer => ({
        status: res.statusCode ?? 0,
        body,
        ms: performance.now() - t0,
        parser: res.statusCode === 400 && body === '' && res.headers['content-type'] === undefined,
      });
      res.on('end', () => resolve(answer(Buffer.concat(chunks).toString())));
      res.on('error', () => resolve(answer('')));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ error: 'timeout' });
    });
    req.on('error', (error) => resolve({ error: error.message }));
    if (p.body) req.end(p.body);
    else req.end();
  });
}

export interface HttpCampaign {
  routes: Route[];
  /** Routes with a request body schema, and with a query schema. */
  withBodySchema: string[];
  withQuerySchema: string[];
}

/** Sends `count` requests spread over every route, `concurrency` at a time. */
export async function httpCampaign(o: {
  url: string;
  fixture: Fixture;
  seed: number;
  count: number;
  concurrency: number;
  timeoutMs: number;
  tally: Tally;
}): Promise<HttpCampaign> {
  const routes = discoverRoutes();
  const fuzzers = routes.map((r) => new RouteFuzz(r, o.fixture, o.seed));
  const url = new URL(o.url);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const k = next++;
      if (k >= o.count) return;
      const rf = fuzzers[k % fuzzers.length]!;
      const index = Math.floor(k / fuzzers.length);
      try {
        await one(rf, index);
      } catch (error) {
        o.tally.find({
          kind: 'harness error',
          where: rf.route.key,
          detail: error instanceof Error ? error.message : String(error),
          input: '',
          replay: `FUZZ_SEED=${o.seed} http ${rf.route.key} #${index}`,
        });
      }
    }
  };
  const one = async (rf: RouteFuzz, index: number): Promise<void> => {
    const where = rf.route.key;
    const p = rf.prepare(index);
    const replay = `FUZZ_SEED=${o.seed} http ${where} #${index}`;
    o.tally.input(where, p.method === rf.route.method ? 'request' : 'wrong method', p.caller);
    o.tally.requests++;
    const input = `${p.method} ${p.path.slice(0, 300)} ${excerpt(p.headers, 300)} ${p.body ? excerpt(p.body.toString(), 300) : ''}`;
    const a = await send(url, p, o.timeoutMs);
    const head =
      p.path.length + Object.entries(p.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
    if ('error' in a) {
      if (a.error.startsWith('client refused')) {
        o.tally.answer(where, 'not sent (client refused)');
        return;
      }
      if (head > MAX_HEAD_BYTES) {
        o.tally.answer(where, 'closed (head over 16 KiB)');
        return;
      }
      if (parserRefuses(p)) {
        o.tally.answer(where, 'closed (Node HTTP parser)');
        return;
      }
      o.tally.answer(where, a.error === 'timeout' ? 'no answer' : 'connection error');
      o.tally.find({
        kind: a.error === 'timeout' ? 'no answer' : 'connection closed',
        where,
        detail: a.error,
        input,
        replay,
      });
      return;
    }
    // 503 "not built": not an API path (a wrong method on /healthz) reaches the UI's handler, not built here.
    const noUi = a.status === 503 && a.body.includes('web UI is not built');
    o.tally.answer(
      where,
      a.parser ? '400 (Node HTTP parser)' : noUi ? '503 (no UI in this run)' : String(a.status),
      a.ms,
    );
    if (noUi) return;
    if (a.status >= 500) {
      o.tally.find({ kind: '5xx', where, detail: `${a.status} ${a.body.slice(0, 200)}`, input, replay });
      return;
    }
    if (a.status >= 200 && a.status < 300 && p.changes && !(where === LOGOUT && p.method === 'POST')) {
      o.tally.find({
        kind: 'accepted hostile input',
        where,
        detail: `${a.status} ${a.body.slice(0, 200)}`,
        input,
        replay,
      });
    }
    if (a.status >= 400 && p.method !== 'HEAD' && a.status !== 431 && a.status !== 414 && !a.parser) {
      let code: unknown;
      try {
        code = (JSON.parse(a.body) as { error?: { code?: unknown } }).error?.code;
      } catch {
        code = undefined;
      }
      if (!isErrorCode(code))
        o.tally.find({
          kind: 'no error code',
          where,
          detail: `${a.status} ${a.body.slice(0, 200)}`,
          input,
          replay,
        });
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return {
    routes,
    withBodySchema: routes
      .filter((r) => BODY_SCHEMAS[r.key] && named(BODY_SCHEMAS[r.key]!))
      .map((r) => r.key),
    withQuerySchema: routes
      .filter((r) => QUERY_SCHEMAS[r.key] && named(QUERY_SCHEMAS[r.key]!))
      .map((r) => r.key),
  };
}

// ---------------------------------------------------------------- not HTTP at all

const RAW_HTTP: string[] = [
  'GARBAGE\r\n\r\n',
  'GET / HTTP/9.9\r\n\r\n',
  'GET /api/auth/me HTTP/1.1\r\nHost: x\r\nX-Big: ' + 'a'.repeat(20_000) + '\r\n\r\n',
  'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcdefg',
  'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  'GET /api/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /api/lessons/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /api/lessons/\u0000 HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET http://evil.example/api/auth/me HTTP/1.1\r\nHost: evil.example\r\n\r\n',
  'GET /api/auth/me HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n',
  'GET /api/auth/me HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n',
  'GET /api/auth/me HTTP/1.1\nHost: x\n\n',
  'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"username":',
  'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n',
  'POST /socket.io/?EIO=4&transport=polling&sid=forged HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n4xx',
  'GET /socket.io/?EIO=3&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
  'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: bad\r\n\r\n',
  '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003',
  'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  '',
];

/** Raw bytes to the HTTP port, one connection each: the server answers under 500 or closes. */
export async function rawHttpCampaign(o: {
  url: string;
  count: number;
  tally: Tally;
  seed: number;
}): Promise<void> {
  const url = new URL(o.url);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let k = next++; k < o.count; k = next++) await one(k);
  };
  const one = async (k: number): Promise<void> => {
    const text = RAW_HTTP[k % RAW_HTTP.length]!;
    const where = 'raw HTTP';
    o.tally.input(where, 'raw', 'anonymous');
    const outcome = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(url.port), url.hostname);
      let received = '';
      const done = (s: string): void => {
        socket.destroy();
        resolve(s);
      };
      // Half a request (a body shorter than its length, nothing at all) is waited for: Node's own timeouts.
      socket.setTimeout(2000, () =>
        done(received ? statusOf(received) : 'no answer yet (waits for the rest)'),
      );
      socket.on('data', (d: Buffer) => {
        received += d.toString('latin1');
        if (received.includes('\r\n\r\n')) done(statusOf(received));
      });
      socket.on('error', () => done(received ? statusOf(received) : 'closed'));
      socket.on('close', () => done(received ? statusOf(received) : 'closed'));
      socket.on('connect', () => socket.write(Buffer.from(text, 'latin1')));
    });
    o.tally.answer(where, outcome);
    const status = Number(/^\d+/.exec(outcome)?.[0] ?? 0);
    if (status >= 500)
      o.tally.find({
        kind: '5xx',
        where,
        detail: outcome,
        input: excerpt(text.slice(0, 300)),
        replay: `raw HTTP #${k % RAW_HTTP.length}`,
      });
  };
  await Promise.all(Array.from({ length: 6 }, worker));
}

const statusOf = (received: string): string => /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1] ?? 'not HTTP';
