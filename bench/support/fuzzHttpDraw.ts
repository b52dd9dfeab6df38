/**
 * How the HTTP fuzz draws a request for a route (before the caller's credentials and the fixture's real ids
 * are filled in, fuzzHttpPrepare.ts): the caller, the method, hostile path parameters, queries, bodies,
 * content types and headers.
 */
import fc from 'fast-check';
import type { Input } from './fuzzHostile.ts';
import { inputs, InputStream, streamId } from './fuzzHostile.ts';
import { inspect } from './fuzzSchemas.ts';
import type { Node } from './fuzzSchemas.ts';
import { BODY_SCHEMAS, discoverRoutes, named, QUERY_SCHEMAS } from './fuzzHttpRoutes.ts';
import type { Route } from './fuzzHttpRoutes.ts';

const CALLERS = [
  'anonymous',
  'coordinator',
  'teacher',
  'otherTeacher',
  'classroomToken',
  'forgedToken',
  'junkCookie',
] as const;
export type Caller = (typeof CALLERS)[number];
export const SESSIONS = new Set<Caller>(['coordinator', 'teacher', 'otherTeacher']);

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

export const CONTENT_TYPES = [
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

export interface HttpRequest {
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
export const EXTRA_HEADERS: Record<string, string>[] = [
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

export function requestArb(
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
