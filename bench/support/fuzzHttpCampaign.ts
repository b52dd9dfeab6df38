/**
 * The HTTP half of `npm run fuzz`: every route the server registers (read from signaling/src, so a new
 * route is fuzzed without being listed here) × every kind of caller, with hostile path ids (traversal,
 * unicode, very long, percent-encoding that does not decode), queries, bodies of the wrong type, size and
 * encoding, bad JSON, wrong content types and hostile headers; and raw bytes that are not HTTP at all.
 * Every answer must be a status under 500, and an error must carry a code from errorCodes. A caller with a
 * real login only ever sends what must be refused (a broken body, or an id that names nothing), so that
 * the store is left as it was: a change-making request answered 2xx is a finding.
 *
 * This module: the campaign that sends the requests (RouteFuzz, fuzzHttpPrepare.ts) and checks each answer.
 */
import http from 'node:http';
import type { Tally } from './fuzzTally.ts';
import { excerpt, isErrorCode } from './fuzzTally.ts';
import type { Fixture } from './fuzzServer.ts';
import { BODY_SCHEMAS, discoverRoutes, LOGOUT, named, QUERY_SCHEMAS } from './fuzzHttpRoutes.ts';
import type { Route } from './fuzzHttpRoutes.ts';
import { RouteFuzz } from './fuzzHttpPrepare.ts';
import type { Prepared } from './fuzzHttpPrepare.ts';

/** Node's own limit on a request's head: past it the server answers 431 and closes (the client may see a reset). */
const MAX_HEAD_BYTES = 16 * 1024;

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
