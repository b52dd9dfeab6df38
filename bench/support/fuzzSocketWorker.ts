/**
 * The Socket.IO half of `npm run fuzz`: every client event (acknowledged ones, the board's live events and
 * unknown names) sent by every kind of connection — not logged in, the lesson's host teacher, a classroom
 * with a valid token, a coordinator (observer), a forged token — before joining and after, each connection
 * within the edge's rate limit (40 burst, 20/s), many in parallel. Every request carries an ack id; the
 * wire shows each ack, so each request is checked for exactly one well-formed answer, and the answer
 * against what the schema and the role allow.
 *
 * This module: SocketWorker, one connection of one side and phase, drawing its inputs and sending them through
 * its CheckedConnection (fuzzSocketConnection.ts).
 */
import type { ClientEvent } from '@cloudschool/protocol';
import { requestSchemas } from '@cloudschool/protocol';
import type { Input } from './fuzzHostile.ts';
import { CHUNK, InputStream, overTheWire, streamId } from './fuzzHostile.ts';
import { refOf } from './fuzzSchemas.ts';
import type { RefName } from './fuzzSchemas.ts';
import { excerpt } from './fuzzTally.ts';
import { CheckedConnection } from './fuzzSocketConnection.ts';
import type { SendRequest } from './fuzzSocketConnection.ts';
import {
  fuzzEvents,
  inputsOf,
  isObject,
  MALFORMED,
  schemaOf,
  STREAM_EVENTS,
  UNKNOWN,
  unknownArb,
} from './fuzzSocketEvents.ts';
import type { Form, FuzzEvent } from './fuzzSocketEvents.ts';
import { INTERVAL_MS, sleep } from './fuzzSocketShared.ts';
import type { Shared, WorkerSpec } from './fuzzSocketShared.ts';

const MAX_IN_FLIGHT = 12;
/** A Socket.IO message larger than this closes the connection (the server's maxHttpBufferSize). */
const MAX_MESSAGE_BYTES = 64 * 1024;
const FAKE_ID = '00000000-0000-4000-8000-000000000000';

/** One connection of one side and phase, sending its share of inputs, reconnecting (and rejoining) when closed. */
export class SocketWorker {
  readonly spec: WorkerSpec;
  readonly #s: Shared;
  readonly #target: string;
  readonly #c: CheckedConnection;
  #nextAt = 0;
  readonly #streams = new Map<string, InputStream<Input>>();
  #unknownStream: InputStream<{ name: string; input: Input }> | undefined;

  constructor(spec: WorkerSpec, shared: Shared) {
    this.spec = spec;
    this.#s = shared;
    this.#target = `${spec.side}:${spec.phase}`;
    this.#c = new CheckedConnection(spec, shared, this.#target);
  }

  get target(): string {
    return this.#target;
  }

  /** Connects, and joins for the after phase; answers once ready. */
  async start(): Promise<void> {
    if (!(await this.#c.ensure()))
      throw new Error(`${this.#target}: could not join lesson ${this.spec.lesson.id}`);
  }

  // ---------------------------------------------------------------- sending

  async #pace(): Promise<void> {
    const now = performance.now();
    this.#nextAt = Math.max(this.#nextAt + INTERVAL_MS, now);
    if (this.#nextAt > now) await sleep(this.#nextAt - now);
  }

  #stream(event: FuzzEvent): InputStream<Input> {
    let s = this.#streams.get(event);
    if (!s) {
      s = new InputStream(
        inputsOf(event, schemaOf(event)),
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
        if (side === 'classroom') return this.#c.joinToken!;
        if (side === 'forged') return pick(f.forgedTokens);
        if (side === 'anonymous') return 'x'.repeat(40);
        return lesson.tokens[2]!;
      case 'forgedToken':
        return pick(f.forgedTokens);
      case 'resumeToken':
        return this.#c.resumeToken ?? 'r'.repeat(32);
      case 'peer':
        return this.#c.peerId ?? FAKE_ID;
      case 'transport':
      case 'producer':
      case 'consumer':
        return this.#c.harvested[name] ?? FAKE_ID;
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
      if (!(await this.#c.ensure())) return;
      t('ensure', t0);
      t0 = performance.now();
      while (this.#c.inFlight() >= MAX_IN_FLIGHT && !this.#c.ws!.closed) await sleep(5);
      t('in flight', t0);
      if (this.#c.ws!.closed && !(await this.#c.ensure())) return;
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
    await this.#c.drain();
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
    if (changesState) await this.#c.drain();
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
      this.#c.expectClose = 'fresh connection after an accepted join';
      this.#c.ws!.close();
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
    if (size + 8 <= MAX_MESSAGE_BYTES) return { answer: this.#c.send(r) };
    await this.#c.drain();
    if (this.#c.ws!.closed && !(await this.#c.ensure())) return { answer: Promise.resolve(null) };
    this.#s.stats.oversizeSent++;
    this.#c.expectClose = `oversize message (${Math.round(size / 1024)} KiB)`;
    const ws = this.#c.ws!;
    const answer = this.#c.send(r);
    // The server closes the connection (or, with an ack asked, might answer): wait for either.
    const deadline = performance.now() + 3000;
    while (
      !ws.closed &&
      performance.now() < deadline &&
      (r.form === 'noAck' || r.form === 'nonFunctionAck' || this.#c.inFlight() > 0)
    )
      await sleep(10);
    if (!ws.closed) this.#c.expectClose = undefined;
    return { answer };
  }

  /** A request of the set-up (questions, a quiz, a board object): answered data, or an error. */
  async setUp(event: ClientEvent, payload: unknown): Promise<Record<string, unknown>> {
    if (!(await this.#c.ensure())) throw new Error(`${this.#target}: not joined for the set-up`);
    const answer = await this.#c.harness(event, payload);
    if (!isObject(answer) || answer.ok !== true || !isObject(answer.data))
      throw new Error(`fuzz set-up: ${event} failed: ${excerpt(answer, 300)}`);
    return answer.data;
  }

  async stop(): Promise<void> {
    await this.#c.drain();
    this.#c.expectClose = 'end of run';
    this.#c.ws?.close();
  }
}
