/**
 * RouteFuzz: a route's stream of drawn requests (fuzzHttpDraw.ts), each made into the request that is sent —
 * real ids or hostile ones in the path, references resolved, the caller's credentials, and for a caller with
 * a real login only what must be refused.
 */
import type { Fixture } from './fuzzServer.ts';
import { broken, InputStream, overTheWire, streamId } from './fuzzHostile.ts';
import { inspect, refOf } from './fuzzSchemas.ts';
import type { Node, RefName, SchemaLike } from './fuzzSchemas.ts';
import { BODY_SCHEMAS, entityOf, LOGOUT, named, QUERY_SCHEMAS, READS_BY_POST } from './fuzzHttpRoutes.ts';
import type { Route } from './fuzzHttpRoutes.ts';
import { CONTENT_TYPES, EXTRA_HEADERS, requestArb, SESSIONS } from './fuzzHttpDraw.ts';
import type { Caller, HttpRequest } from './fuzzHttpDraw.ts';

const encodeAll = (s: string): string =>
  [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');

export interface Prepared {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** The request would change the store if it were accepted. */
  changes: boolean;
  caller: Caller;
}

/** Sets of a route's fuzzing: its arbitrary, schemas, and the fixture's real values. */
export class RouteFuzz {
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
