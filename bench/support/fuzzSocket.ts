/**
 * The Socket.IO half of `npm run fuzz`: every client event (acknowledged ones, the board's live events and
 * unknown names) sent by every kind of connection — not logged in, the lesson's host teacher, a classroom
 * with a valid token, a coordinator (observer), a forged token — before joining and after, each connection
 * within the edge's rate limit (40 burst, 20/s), many in parallel. Every request carries an ack id; the
 * wire shows each ack, so each request is checked for exactly one well-formed answer, and the answer
 * against what the schema and the role allow.
 */
import fc from 'fast-check';
import { boardStreamSchemas, clientEvents, requestSchemas } from '@cloudschool/protocol';
import type { ClientEvent } from '@cloudschool/protocol';
import type { Input } from './fuzzHostile.ts';
import { CHUNK, garbage, inputs, InputStream, overTheWire, streamId } from './fuzzHostile.ts';
import { inspect, refOf } from './fuzzSchemas.ts';
import type { RefName, SchemaLike } from './fuzzSchemas.ts';
import type { Fixture, FixtureLesson } from './fuzzServer.ts';
import type { Tally } from './fuzzTally.ts';
import { excerpt, isErrorCode } from './fuzzTally.ts';
import { rawKinds } from './fuzzRaw.ts';
import type { RawItem } from './fuzzRaw.ts';
import { WireConnectError, WireSocket } from './fuzzWire.ts';

export type Side = 'anonymous' | 'host' | 'classroom' | 'observer' | 'forged';
export type Phase = 'before' | 'after';

/** Per connection: under the edge's 20 per second, so inputs reach the handlers instead of `rate_limited`. */
const INTERVAL_MS = 1000 / 18;
const MAX_IN_FLIGHT = 12;
/** A Socket.IO message larger than this closes the connection (the server's maxHttpBufferSize). */
const MAX_MESSAGE_BYTES = 64 * 1024;

const STREAM_EVENTS = Object.keys(boardStreamSchemas) as (keyof typeof boardStreamSchemas)[];
const UNKNOWN = '(unknown event)';
type FuzzEvent = ClientEvent | (typeof STREAM_EVENTS)[number] | typeof UNKNOWN;
export const fuzzEvents: FuzzEvent[] = [...clientEvents, ...STREAM_EVENTS, UNKNOWN];

/** How a request is sent: as the protocol wants it (payload + ack), or malformed. */
const MALFORMED = ['noAck', 'nonFunctionAck', 'twoPayloads', 'noPayload', 'binary', 'binaryInside'] as const;
type Form = 'ack' | (typeof MALFORMED)[number];

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

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a connection of this side may ever have this request accepted (`ok: true`). */
function mayBeAccepted(side: Side, joined: boolean, event: string, payload: unknown): boolean {
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
const unknownArb: fc.Arbitrary<{ name: string; input: Input }> = fc.record({
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
function inputsOf(event: string, schema: SchemaLike): fc.Arbitrary<Input> {
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

function schemaOf(event: string): SchemaLike {
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
  const schema: SchemaLike | undefined =
    event in requestSchemas
      ? requestSchemas[event as ClientEvent]
      : event in boardStreamSchemas
        ? boardStreamSchemas[event as keyof typeof boardStreamSchemas]
        : undefined;
  if (!schema) throw new Error(`no event ${event}`);
  const form = (STREAM_EVENTS as string[]).includes(event)
    ? index % 8 === 3
      ? 'ack'
      : 'noAck'
    : index % 16 === 5
      ? MALFORMED[Math.floor(index / 16) % MALFORMED.length]!
      : 'ack';
  return { form, ...new InputStream(inputsOf(event, schema), seed, id).at(index) };
}

/** Real values the fuzz resolves references to, per lesson, learned while it is set up. */
interface LessonRefs {
  question: string;
  quiz: string;
  object: string;
}

interface Pending {
  id: number;
  event: string;
  where: string;
  role: string;
  form: Form;
  kind: 'request' | 'unknown' | 'stream' | 'harness';
  schemaValid: boolean;
  joined: boolean;
  payload: unknown;
  sentAt: number;
  replay: string;
  timer: NodeJS.Timeout | undefined;
  resolve: (answer: unknown) => void;
  /** Set once the ack timed out while the connection stayed open. */
  overdue: boolean;
}

interface SendRequest {
  event: string;
  args: unknown[];
  form: Form;
  kind: Pending['kind'];
  where: string;
  schemaValid: boolean;
  payload: unknown;
  replay: string;
}

export interface WorkerSpec {
  side: Side;
  phase: Phase;
  lesson: FixtureLesson;
  /** The other live lessons' ids and classrooms (for references to another lesson). */
  others: FixtureLesson[];
  cookie?: string | undefined;
  /** The classroom this connection is (its index in the lesson), for classrooms. */
  classroom?: number;
  ordinal: number;
  items: number;
}

export interface Shared {
  url: string;
  fixture: Fixture;
  seed: number;
  ackTimeoutMs: number;
  tally: Tally;
  refs: Map<string, LessonRefs>;
  /** Counts about connections, for the report. */
  stats: ConnectionStats;
  log: (line: string) => void;
}

export interface ConnectionStats {
  connections: number;
  reconnects: number;
  connectFailures: number;
  closedBy: Record<string, number>;
  /** Requests whose connection closed before the ack, by why it closed. */
  cut: Record<string, number>;
  late: number;
  oversizeSent: number;
  joinsAccepted: number;
  /** Joined connections that could not join again after a close (they stop sending). */
  gaveUp: string[];
  /** Where the socket connections' time went (ms, summed over connections). */
  timeMs: Record<string, number>;
}

export const newStats = (): ConnectionStats => ({
  connections: 0,
  reconnects: 0,
  connectFailures: 0,
  closedBy: {},
  cut: {},
  late: 0,
  oversizeSent: 0,
  joinsAccepted: 0,
  gaveUp: [],
  timeMs: {},
});

const bump = (r: Record<string, number>, k: string): void => void (r[k] = (r[k] ?? 0) + 1);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const FAKE_ID = '00000000-0000-4000-8000-000000000000';

/** One connection of one side and phase, sending its share of inputs, reconnecting (and rejoining) when closed. */
export class SocketWorker {
  readonly spec: WorkerSpec;
  readonly #s: Shared;
  readonly #target: string;
  #ws: WireSocket | undefined;
  #joined = false;
  #peerId: string | undefined;
  #resumeToken: string | undefined;
  /** A classroom PC's credential, from its first join. */
  #device: Record<string, unknown> | undefined;
  readonly #harvested: Partial<Record<'transport' | 'producer' | 'consumer', string>> = {};
  readonly #pending = new Map<number, Pending>();
  readonly #answered = new Set<number>();
  /** Why the current connection may close without it being the server's fault. */
  #expectClose: string | undefined;
  #nextAt = 0;
  readonly #streams = new Map<string, InputStream<Input>>();
  #unknownStream: InputStream<{ name: string; input: Input }> | undefined;
  #lastSent: string[] = [];

  constructor(spec: WorkerSpec, shared: Shared) {
    this.spec = spec;
    this.#s = shared;
    this.#target = `${spec.side}:${spec.phase}`;
  }

  get target(): string {
    return this.#target;
  }

  get #joinToken(): string | undefined {
    const { side, lesson, classroom } = this.spec;
    if (side === 'classroom') return lesson.tokens[classroom ?? 0];
    return undefined;
  }

  get #role(): 'host' | 'classroom' | 'observer' {
    return this.spec.side === 'host' ? 'host' : this.spec.side === 'observer' ? 'observer' : 'classroom';
  }

  /** Connects, and joins for the after phase; answers once ready. */
  async start(): Promise<void> {
    if (!(await this.#ensure()))
      throw new Error(`${this.#target}: could not join lesson ${this.spec.lesson.id}`);
  }

  // ---------------------------------------------------------------- connection

  async #connect(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const ws = await WireSocket.connect(this.#s.url, { cookie: this.spec.cookie, timeoutMs: 20_000 });
        this.#s.stats.connections++;
        ws.onAck((id, args) => this.#onAck(ws, id, args));
        ws.onClose((reason) => this.#onClose(ws, reason));
        this.#ws = ws;
        this.#joined = false;
        this.#answered.clear();
        this.#expectClose = undefined;
        return;
      } catch (error) {
        this.#s.stats.connectFailures++;
        if (attempt >= 20) throw error;
        if (!(error instanceof WireConnectError)) throw error;
        await sleep(250 * (attempt + 1));
      }
    }
  }

  /**
   * A connection that is open and, for the after phase, joined (by resuming its page, or joining again with
   * its PC's credential); false if it could not join again (it stops then).
   */
  async #ensure(): Promise<boolean> {
    if (this.#ws && !this.#ws.closed && (this.spec.phase === 'before' || this.#joined)) return true;
    if (this.#ws) this.#s.stats.reconnects++;
    if (!this.#ws || this.#ws.closed) await this.#connect();
    if (this.spec.phase === 'before') return true;
    for (let attempt = 0; attempt < 30; attempt++) {
      if (this.#ws!.closed) await this.#connect();
      if (this.#peerId && this.#resumeToken) {
        const resumed = await this.#harness('lesson:resume', {
          lessonId: this.spec.lesson.id,
          peerId: this.#peerId,
          token: this.#resumeToken,
        });
        if (isObject(resumed) && resumed.ok === true) {
          this.#joined = true;
          return true;
        }
      }
      const joined = await this.#harness('lesson:join', {
        lessonId: this.spec.lesson.id,
        role: this.#role,
        ...(this.#joinToken ? { token: this.#joinToken } : {}),
        ...(this.#device ? { device: this.#device } : {}),
      });
      if (isObject(joined) && joined.ok === true && isObject(joined.data)) {
        this.#joined = true;
        this.#peerId = String(joined.data.peerId);
        this.#resumeToken = String(joined.data.resumeToken);
        if (isObject(joined.data.device)) this.#device = joined.data.device;
        return true;
      }
      // A classroom whose earlier page still waits for its connection (2 pages at most): wait and try again.
      await sleep(1000);
    }
    this.#s.stats.gaveUp.push(`${this.#target}#${this.spec.ordinal}`);
    return false;
  }

  /** A request of the harness itself (joining, setting up): answered like any other, or null. */
  async #harness(event: string, payload: unknown): Promise<unknown> {
    return this.#send({
      event,
      args: [payload],
      form: 'ack',
      kind: 'harness',
      where: `(harness) ${event}`,
      schemaValid: true,
      payload,
      replay: '',
    });
  }

  #onClose(ws: WireSocket, reason: string): void {
    if (ws !== this.#ws) return;
    this.#joined = false;
    const cause = this.#expectClose ?? (ws.notice ? `after ${ws.notice}` : `unexpected: ${reason}`);
    bump(this.#s.stats.closedBy, cause.startsWith('unexpected') ? 'unexpected' : cause);
    const cut = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of cut) {
      clearTimeout(p.timer);
      bump(this.#s.stats.cut, cause.startsWith('unexpected') ? 'unexpected' : cause);
      if (p.kind !== 'harness')
        this.#s.tally.answer(p.where, `closed (${cause.startsWith('unexpected') ? 'unexpected' : cause})`);
      p.resolve(null);
    }
    if (cause.startsWith('unexpected')) {
      this.#s.tally.find({
        kind: 'connection closed',
        where: `${this.#target}`,
        detail: `the server closed the connection (${reason}) with ${cut.length} request(s) pending`,
        input: this.#lastSent.join(' | '),
        replay: cut[0]?.replay ?? '',
      });
    }
  }

  // ---------------------------------------------------------------- acks

  #onAck(ws: WireSocket, id: number, args: unknown[]): void {
    if (ws !== this.#ws) return;
    const p = this.#pending.get(id);
    if (!p) {
      const kind = this.#answered.has(id) ? 'double ack' : 'stray ack';
      this.#s.tally.find({
        kind,
        where: this.#target,
        detail: `ack id ${id} ${kind === 'double ack' ? 'answered twice' : 'was never sent'}`,
        input: excerpt(args),
        replay: '',
      });
      return;
    }
    this.#pending.delete(id);
    this.#answered.add(id);
    clearTimeout(p.timer);
    const latency = performance.now() - p.sentAt;
    if (p.overdue) this.#s.stats.late++;
    const answer = args[0];
    if (p.kind !== 'harness') {
      const code = this.#check(p, answer, args.length);
      this.#s.tally.answer(p.where, code, latency);
    }
    this.#harvest(p.event, answer);
    p.resolve(answer);
  }

  /** Checks one answer against what the request allows; answers its code for the tally. */
  #check(p: Pending, answer: unknown, argCount: number): string {
    const find = (kind: string, detail: string): void =>
      this.#s.tally.find({
        kind,
        where: p.where + ` (${p.role})`,
        detail,
        input: excerpt(p.payload),
        replay: p.replay,
      });
    if (argCount !== 1 || !isObject(answer) || typeof answer.ok !== 'boolean') {
      find('malformed answer', `ack arguments: ${excerpt(answer, 200)}`);
      return 'malformed';
    }
    let code = 'ok';
    if (answer.ok) {
      if (!('data' in answer)) find('malformed answer', 'ok without data');
    } else {
      const e = answer.error;
      if (!isObject(e) || typeof e.message !== 'string') {
        find('malformed answer', `error: ${excerpt(e, 200)}`);
        return 'malformed';
      }
      if (!isErrorCode(e.code)) {
        find('unknown code', `code ${excerpt(e.code)} is not in errorCodes`);
        return `unknown code ${String(e.code)}`;
      }
      code = e.code;
    }
    const refusedAsBad = code === 'bad_request' || code === 'rate_limited';
    if (code === 'internal') find('internal', 'the handler failed unexpectedly (code internal)');
    if (p.kind === 'unknown') {
      if (code !== 'unknown_event' && code !== 'rate_limited')
        find('unexpected code', `${code} for an unknown event (expected unknown_event)`);
      return code;
    }
    if (p.kind === 'stream') return code;
    if (p.form === 'twoPayloads' || p.form === 'noPayload' || p.form === 'binary') {
      if (!refusedAsBad)
        find(
          code === 'ok' ? 'invalid input accepted' : 'unexpected code',
          `${p.form}: ${code} (expected bad_request)`,
        );
      return code;
    }
    if (p.form === 'ack' && !p.schemaValid && !refusedAsBad) {
      find(
        code === 'ok' ? 'invalid input accepted' : 'unexpected code',
        `the schema refuses this input, the server answered ${code}`,
      );
    }
    if (code === 'ok' && !mayBeAccepted(this.spec.side, p.joined, p.event, p.payload)) {
      find('privilege', `${p.joined ? 'joined' : 'not joined'} ${this.spec.side} was answered ok`);
    }
    return code;
  }

  /** Ids the server handed out to this connection, for references in later inputs. */
  #harvest(event: string, answer: unknown): void {
    if (!isObject(answer) || answer.ok !== true || !isObject(answer.data)) return;
    const d = answer.data;
    if (
      (event === 'media:createTransport' || event === 'media:createPlainTransport') &&
      typeof d.id === 'string'
    )
      this.#harvested.transport = d.id;
    if (event === 'media:produce' && typeof d.producerId === 'string')
      this.#harvested.producer = d.producerId;
    if (event === 'media:consume' && typeof d.id === 'string') this.#harvested.consumer = d.id;
  }

  // ---------------------------------------------------------------- sending

  async #pace(): Promise<void> {
    const now = performance.now();
    this.#nextAt = Math.max(this.#nextAt + INTERVAL_MS, now);
    if (this.#nextAt > now) await sleep(this.#nextAt - now);
  }

  async #drain(): Promise<void> {
    while (this.#inFlight() > 0 && this.#ws && !this.#ws.closed) await sleep(10);
  }

  /** Sends one request (with an ack id unless its form has none) and answers its ack (null if none came). */
  #send(r: SendRequest): Promise<unknown> {
    const ws = this.#ws!;
    const withAck = r.form !== 'noAck' && r.form !== 'nonFunctionAck';
    this.#lastSent = [...this.#lastSent.slice(-2), `${r.event} ${excerpt(r.payload, 120)}`];
    if (!withAck) {
      ws.emit(r.event, r.args);
      return Promise.resolve(null);
    }
    return new Promise((resolve) => {
      const id = ws.nextId();
      const p: Pending = {
        id,
        event: r.event,
        where: r.where,
        role: this.#target,
        form: r.form,
        kind: r.kind,
        schemaValid: r.schemaValid,
        joined: this.#joined,
        payload: r.payload,
        sentAt: performance.now(),
        replay: r.replay,
        timer: undefined,
        resolve,
        overdue: false,
      };
      p.timer = setTimeout(() => this.#timeout(ws, p), this.#s.ackTimeoutMs);
      this.#pending.set(id, p);
      this.#s.tally.requests++;
      ws.emit(r.event, r.args, id);
    });
  }

  #timeout(ws: WireSocket, p: Pending): void {
    if (ws.closed || !this.#pending.has(p.id)) return;
    p.overdue = true;
    if (p.kind !== 'harness') this.#s.tally.answer(p.where, 'unanswered');
    this.#s.tally.find({
      kind: 'unanswered',
      where: `${p.where} (${p.role})`,
      detail: `no ack within ${this.#s.ackTimeoutMs} ms on an open connection`,
      input: excerpt(p.payload),
      replay: p.replay,
    });
    // Still listening: a late ack is counted as late, a second one as a double ack.
  }

  #stream(event: FuzzEvent): InputStream<Input> {
    let s = this.#streams.get(event);
    if (!s) {
      const schema: SchemaLike | undefined =
        event in requestSchemas
          ? requestSchemas[event as ClientEvent]
          : event in boardStreamSchemas
            ? boardStreamSchemas[event as keyof typeof boardStreamSchemas]
            : undefined;
      if (!schema) throw new Error(`fuzz: no schema for ${event}`);
      s = new InputStream(
        inputsOf(event, schema),
        this.#s.seed,
        streamId(`${this.#target}#${this.spec.ordinal}|${event}`),
      );
      this.#streams.set(event, s);
    }
    return s;
  }

  #ref(name: RefName, index: number): string {
    const { lesson, others, side, classroom } = this.spec;
    const f = this.#s.fixture;
    const refs = this.#s.refs.get(lesson.id);
    const pick = <T>(list: T[]): T => list[index % list.length]!;
    switch (name) {
      case 'lesson':
        return lesson.id;
      case 'otherLesson':
        return index % 2 === 0 || others.length === 0 ? f.laterLessonId : pick(others).id;
      case 'classroom':
        // The host side acts on the classrooms that are not the joined workers' own (c2, c3): `page:remove`
        // with `block` would bar a worker's PC until the host admits it again.
        return side === 'classroom'
          ? lesson.classroomIds[classroom ?? 0]!
          : pick(lesson.classroomIds.slice(2));
      case 'otherClassroom':
        return others.length > 0 ? pick(pick(others).classroomIds) : lesson.hostClassroomId;
      case 'school':
        return pick(f.schoolIds);
      case 'account':
        return pick(f.teachers).id;
      case 'question':
        return refs?.question ?? FAKE_ID;
      case 'quiz':
        return refs?.quiz ?? FAKE_ID;
      case 'object':
        return refs?.object ?? 'o1';
      case 'token':
        if (side === 'classroom') return this.#joinToken!;
        if (side === 'forged') return pick(f.forgedTokens);
        if (side === 'anonymous') return 'x'.repeat(40);
        return lesson.tokens[2]!;
      case 'forgedToken':
        return pick(f.forgedTokens);
      case 'resumeToken':
        return this.#resumeToken ?? 'r'.repeat(32);
      case 'peer':
        return this.#peerId ?? FAKE_ID;
      case 'transport':
      case 'producer':
      case 'consumer':
        return this.#harvested[name] ?? FAKE_ID;
      case 'page':
        return 'p0';
      case 'file':
        return f.fileId;
      case 'code':
        return pick(f.codes);
    }
  }

  #resolve(value: unknown, index: number, depth = 0): unknown {
    if (typeof value === 'string') {
      const name = refOf(value);
      return name ? this.#ref(name, index) : value;
    }
    if (depth > 64) return value;
    if (Array.isArray(value)) return value.map((v) => this.#resolve(v, index, depth + 1));
    if (isObject(value))
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, this.#resolve(v, index, depth + 1)]),
      );
    return value;
  }

  /** Sends this worker's share of inputs, paced; answers when every ack came or timed out. */
  async run(): Promise<void> {
    const events = fuzzEvents;
    // Events in blocks of consecutive inputs (one input stream busy at a time: its chunk is drawn once and
    // dropped as it is sent), as many rounds over every event as it takes, each connection starting at
    // another event; round-robin when there are few inputs.
    const rounds = Math.max(1, Math.ceil(this.spec.items / (events.length * CHUNK)));
    const block = Math.max(1, Math.ceil(this.spec.items / (events.length * rounds)));
    const offset = this.spec.ordinal * 5;
    const t = (what: string, t0: number): void => {
      this.#s.stats.timeMs[what] = (this.#s.stats.timeMs[what] ?? 0) + (performance.now() - t0);
    };
    for (let k = 0; k < this.spec.items; k++) {
      let t0 = performance.now();
      await this.#pace();
      t('pace', t0);
      t0 = performance.now();
      if (!(await this.#ensure())) return;
      t('ensure', t0);
      t0 = performance.now();
      while (this.#inFlight() >= MAX_IN_FLIGHT && !this.#ws!.closed) await sleep(5);
      t('in flight', t0);
      if (this.#ws!.closed && !(await this.#ensure())) return;
      const b = Math.floor(k / block);
      const event = events[(b + offset) % events.length]!;
      const index = Math.floor(b / events.length) * block + (k % block);
      t0 = performance.now();
      try {
        await this.#item(event, index);
        t(event === 'lesson:join' || event === 'lesson:resume' ? 'item (join)' : 'item', t0);
      } catch (error) {
        this.#harnessError(
          error,
          `FUZZ_SEED=${this.#s.seed} ${this.#target}#${this.spec.ordinal} ${event} #${index}`,
        );
      }
    }
    await this.#drain();
  }

  /** A fault of the fuzzer itself: reported (it fails the run), and the run goes on. */
  #harnessError(error: unknown, replay: string): void {
    this.#s.tally.find({
      kind: 'harness error',
      where: this.#target,
      detail:
        error instanceof Error
          ? `${error.message} ${error.stack?.split('\n')[1]?.trim() ?? ''}`
          : String(error),
      input: '',
      replay,
    });
  }

  /** Requests still awaited (those past their timeout were counted unanswered and no longer hold the connection). */
  #inFlight(): number {
    let n = 0;
    for (const p of this.#pending.values()) if (!p.overdue) n++;
    return n;
  }

  async #item(event: FuzzEvent, index: number): Promise<void> {
    const replay = `FUZZ_SEED=${this.#s.seed} ${this.#target}#${this.spec.ordinal} ${event} #${index}`;
    if (event === UNKNOWN) {
      this.#unknownStream ??= new InputStream(
        unknownArb,
        this.#s.seed,
        streamId(`${this.#target}#${this.spec.ordinal}|unknown`),
      );
      const { name, input } = this.#unknownStream.at(index);
      this.#s.tally.input(UNKNOWN, input.cls, this.#target);
      await this.#dispatch({
        event: name,
        args: [input.value],
        form: index % 6 === 0 ? 'noAck' : 'ack',
        kind: 'unknown',
        where: UNKNOWN,
        schemaValid: false,
        payload: input.value,
        replay,
      });
      return;
    }
    const input = this.#stream(event).at(index);
    const payload = this.#resolve(input.value, index);
    if ((STREAM_EVENTS as string[]).includes(event)) {
      this.#s.tally.input(event, input.cls, this.#target);
      const withAck = index % 8 === 3;
      await this.#dispatch({
        event,
        args: [payload],
        form: withAck ? 'ack' : 'noAck',
        kind: 'stream',
        where: event,
        schemaValid: false,
        payload,
        replay,
      });
      if (!withAck) this.#s.tally.answer(event, 'no ack (live event)');
      return;
    }
    const schema = requestSchemas[event as ClientEvent];
    const form: Form = index % 16 === 5 ? MALFORMED[Math.floor(index / 16) % MALFORMED.length]! : 'ack';
    const wire = overTheWire(payload);
    const schemaValid = schema.safeParse(wire).success;
    if (!schemaValid) this.#s.tally.schemaInvalid++;
    this.#s.tally.input(event, form === 'ack' ? input.cls : form, this.#target);
    const args =
      form === 'ack' || form === 'noAck'
        ? [payload]
        : form === 'nonFunctionAck'
          ? [payload, 'not-a-function']
          : form === 'twoPayloads'
            ? [payload, payload]
            : form === 'noPayload'
              ? []
              : form === 'binary'
                ? [new Uint8Array(64).fill(index % 256)]
                : [
                    isObject(payload)
                      ? { ...payload, blob: new Uint8Array(16) }
                      : { blob: new Uint8Array(16) },
                  ];
    // Joining (or resuming) changes what a connection is: sent alone, and a before-phase connection that got
    // in starts again from a fresh connection.
    const changesState = event === 'lesson:join' || event === 'lesson:resume';
    if (changesState) await this.#drain();
    const { answer } = await this.#dispatch({
      event,
      args,
      form,
      kind: 'request',
      where: event,
      schemaValid,
      payload,
      replay,
    });
    if (form === 'noAck' || form === 'nonFunctionAck') this.#s.tally.answer(event, `no ack (${form})`);
    if (!changesState) return;
    const a = await answer;
    if (isObject(a) && a.ok === true && this.spec.phase === 'before') {
      this.#s.stats.joinsAccepted++;
      this.#expectClose = 'fresh connection after an accepted join';
      this.#ws!.close();
    }
  }

  /**
   * Sends, unless the message is larger than the server takes: then alone, expecting the server to close.
   * Answers once sent; `answer` settles with the ack (null if none came).
   */
  async #dispatch(r: SendRequest): Promise<{ answer: Promise<unknown> }> {
    let size: number;
    try {
      size = Buffer.byteLength(
        JSON.stringify([r.event, ...r.args.map((a) => (a instanceof Uint8Array ? 0 : a))]),
      );
    } catch {
      size = 0;
    }
    if (size + 8 <= MAX_MESSAGE_BYTES) return { answer: this.#send(r) };
    await this.#drain();
    if (this.#ws!.closed && !(await this.#ensure())) return { answer: Promise.resolve(null) };
    this.#s.stats.oversizeSent++;
    this.#expectClose = `oversize message (${Math.round(size / 1024)} KiB)`;
    const ws = this.#ws!;
    const answer = this.#send(r);
    // The server closes the connection (or, with an ack asked, might answer): wait for either.
    const deadline = performance.now() + 3000;
    while (
      !ws.closed &&
      performance.now() < deadline &&
      (r.form === 'noAck' || r.form === 'nonFunctionAck' || this.#inFlight() > 0)
    )
      await sleep(10);
    if (!ws.closed) this.#expectClose = undefined;
    return { answer };
  }

  /** A request of the set-up (questions, a quiz, a board object): answered data, or an error. */
  async setUp(event: ClientEvent, payload: unknown): Promise<Record<string, unknown>> {
    if (!(await this.#ensure())) throw new Error(`${this.#target}: not joined for the set-up`);
    const answer = await this.#harness(event, payload);
    if (!isObject(answer) || answer.ok !== true || !isObject(answer.data))
      throw new Error(`fuzz set-up: ${event} failed: ${excerpt(answer, 300)}`);
    return answer.data;
  }

  async stop(): Promise<void> {
    await this.#drain();
    this.#expectClose = 'end of run';
    this.#ws?.close();
  }
}

// ---------------------------------------------------------------- raw frames

/** A connection that sends raw frames (fuzzRaw.ts), each followed by a probe that must be answered. */
export class RawWorker {
  readonly #s: Shared;
  readonly #items: number;
  readonly #ordinal: number;
  /** A joined classroom (its lesson and token), or a connection that has not joined. */
  readonly #join: { lessonId: string; token: string } | undefined;
  #ws: WireSocket | undefined;
  #nextAt = 0;
  readonly #acks = new Map<number, number>();
  #expectClose = false;

  constructor(
    shared: Shared,
    o: { items: number; ordinal: number; join?: { lessonId: string; token: string } },
  ) {
    this.#s = shared;
    this.#items = o.items;
    this.#ordinal = o.ordinal;
    this.#join = o.join;
  }

  get target(): string {
    return this.#join ? 'raw:classroom' : 'raw:anonymous';
  }

  async #fresh(): Promise<WireSocket> {
    this.#ws?.close();
    for (let attempt = 0; ; attempt++) {
      try {
        const ws = await WireSocket.connect(this.#s.url, { timeoutMs: 20_000 });
        this.#s.stats.connections++;
        this.#acks.clear();
        ws.onAck((id) => this.#acks.set(id, (this.#acks.get(id) ?? 0) + 1));
        ws.onClose((reason) => {
          if (!this.#expectClose) bump(this.#s.stats.closedBy, `raw frame: ${reason}`);
        });
        this.#ws = ws;
        if (this.#join) {
          const id = ws.nextId();
          ws.emit(
            'lesson:join',
            [{ lessonId: this.#join.lessonId, role: 'classroom', token: this.#join.token }],
            id,
          );
          await this.#waitAck(ws, id, this.#s.ackTimeoutMs);
        }
        return ws;
      } catch (error) {
        this.#s.stats.connectFailures++;
        if (attempt >= 20) throw error;
        await sleep(250 * (attempt + 1));
      }
    }
  }

  async #waitAck(ws: WireSocket, id: number, ms: number): Promise<'ack' | 'closed' | 'timeout'> {
    const end = performance.now() + ms;
    while (performance.now() < end) {
      if (this.#acks.has(id)) return 'ack';
      if (ws.closed) return 'closed';
      await sleep(5);
    }
    return 'timeout';
  }

  async run(): Promise<void> {
    const kinds = rawKinds(this.#s.seed, this.#ordinal);
    for (let k = 0; k < this.#items; k++) {
      const now = performance.now();
      // An item and its probe are two requests: half the pace of the other connections.
      this.#nextAt = Math.max(this.#nextAt + 2 * INTERVAL_MS, now);
      if (this.#nextAt > now) await sleep(this.#nextAt - now);
      const kind = kinds[k % kinds.length]!;
      const index = Math.floor(k / kinds.length);
      if (!this.#ws || this.#ws.closed) {
        if (this.#ws) this.#s.stats.reconnects++;
        await this.#fresh();
      }
      try {
        await this.#item(kind.name, kind.make(index, this.#ws!), index);
      } catch (error) {
        this.#s.tally.find({
          kind: 'harness error',
          where: this.target,
          detail: error instanceof Error ? error.message : String(error),
          input: '',
          replay: `FUZZ_SEED=${this.#s.seed} ${this.target}#${this.#ordinal} ${kind.name} #${index}`,
        });
      }
    }
    this.#expectClose = true;
    this.#ws?.close();
  }

  async #item(name: string, item: RawItem, index: number): Promise<void> {
    const ws = this.#ws!;
    const where = `raw: ${name}`;
    const replay = `FUZZ_SEED=${this.#s.seed} ${this.target}#${this.#ordinal} ${name} #${index}`;
    this.#s.tally.input(where, 'raw', this.target);
    if (item.handshake) {
      const outcome = await item.handshake(this.#s.url);
      this.#s.tally.answer(where, outcome);
      return;
    }
    this.#expectClose = item.fresh === true;
    for (const frame of item.frames) ws.raw(frame);
    if (item.ackId !== undefined) this.#s.tally.requests++;
    // The probe: a valid request that this connection must still answer, unless the frame closed it.
    const probe = ws.nextId() + 1_000_000;
    ws.emit('board:sync', [{}], probe);
    const t0 = performance.now();
    // After leaving the namespace the probe goes unanswered by design: a short wait tells it from a close.
    const probed = await this.#waitAck(ws, probe, item.fresh ? 1500 : this.#s.ackTimeoutMs);
    let outcome: string;
    if (item.ackId !== undefined && this.#acks.has(item.ackId)) {
      outcome = 'answered';
      if ((this.#acks.get(item.ackId) ?? 0) > 1)
        this.#s.tally.find({
          kind: 'double ack',
          where,
          detail: 'the raw request was answered twice',
          input: excerpt(item.frames[0]),
          replay,
        });
    } else if (probed === 'closed' || ws.closed) outcome = 'connection closed';
    else if (probed === 'ack') outcome = item.ackId === undefined ? 'ignored (no ack asked)' : 'ignored';
    else outcome = item.fresh ? 'namespace left' : 'probe unanswered';
    this.#s.tally.answer(where, outcome, outcome === 'answered' ? performance.now() - t0 : undefined);
    if (item.expect === 'ack' && outcome !== 'answered' && outcome !== 'connection closed') {
      this.#s.tally.find({
        kind: 'unanswered',
        where,
        detail: `expected an ack: ${outcome}`,
        input: excerpt(item.frames[0]),
        replay,
      });
    }
    if (outcome === 'probe unanswered' && !item.fresh) {
      this.#s.tally.find({
        kind: 'unanswered',
        where,
        detail: 'a valid request after this frame got no ack on an open connection',
        input: excerpt(item.frames[0]),
        replay,
      });
    }
    if (item.fresh || outcome === 'connection closed') {
      this.#expectClose = true;
      ws.close();
    }
  }
}
