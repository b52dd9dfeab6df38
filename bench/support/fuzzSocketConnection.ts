/**
 * One Socket.IO fuzz connection's socket (driven by a SocketWorker, fuzzSocketWorker.ts): connecting, joining
 * (and joining again after a close), sending requests, and checking each ack that comes back.
 */
import { excerpt, isErrorCode } from './fuzzTally.ts';
import { WireConnectError, WireSocket } from './fuzzWire.ts';
import { isObject, mayBeAccepted } from './fuzzSocketEvents.ts';
import type { Form } from './fuzzSocketEvents.ts';
import { bump, sleep } from './fuzzSocketShared.ts';
import type { Shared, WorkerSpec } from './fuzzSocketShared.ts';

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

export interface SendRequest {
  event: string;
  args: unknown[];
  form: Form;
  kind: Pending['kind'];
  where: string;
  schemaValid: boolean;
  payload: unknown;
  replay: string;
}

/** A connection of one side and phase, reconnecting (and rejoining) when closed; its worker decides what to send. */
export class CheckedConnection {
  readonly spec: WorkerSpec;
  readonly #s: Shared;
  readonly #target: string;
  #ws: WireSocket | undefined;
  #joined = false;
  #peerId: string | undefined;
  #resumeToken: string | undefined;
  /** A classroom PC's credential, from its first join. */
  #device: Record<string, unknown> | undefined;
  readonly harvested: Partial<Record<'transport' | 'producer' | 'consumer', string>> = {};
  readonly #pending = new Map<number, Pending>();
  readonly #answered = new Set<number>();
  /** Why the current connection may close without it being the server's fault. */
  expectClose: string | undefined;
  #lastSent: string[] = [];

  constructor(spec: WorkerSpec, shared: Shared, target: string) {
    this.spec = spec;
    this.#s = shared;
    this.#target = target;
  }

  get ws(): WireSocket | undefined {
    return this.#ws;
  }

  get peerId(): string | undefined {
    return this.#peerId;
  }

  get resumeToken(): string | undefined {
    return this.#resumeToken;
  }

  get joinToken(): string | undefined {
    const { side, lesson, classroom } = this.spec;
    if (side === 'classroom') return lesson.tokens[classroom ?? 0];
    return undefined;
  }

  get #role(): 'host' | 'classroom' | 'observer' {
    return this.spec.side === 'host' ? 'host' : this.spec.side === 'observer' ? 'observer' : 'classroom';
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
        this.expectClose = undefined;
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
  async ensure(): Promise<boolean> {
    if (this.#ws && !this.#ws.closed && (this.spec.phase === 'before' || this.#joined)) return true;
    if (this.#ws) this.#s.stats.reconnects++;
    if (!this.#ws || this.#ws.closed) await this.#connect();
    if (this.spec.phase === 'before') return true;
    for (let attempt = 0; attempt < 30; attempt++) {
      if (this.#ws!.closed) await this.#connect();
      if (this.#peerId && this.#resumeToken) {
        const resumed = await this.harness('lesson:resume', {
          lessonId: this.spec.lesson.id,
          peerId: this.#peerId,
          token: this.#resumeToken,
        });
        if (isObject(resumed) && resumed.ok === true) {
          this.#joined = true;
          return true;
        }
      }
      const joined = await this.harness('lesson:join', {
        lessonId: this.spec.lesson.id,
        role: this.#role,
        ...(this.joinToken ? { token: this.joinToken } : {}),
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
  async harness(event: string, payload: unknown): Promise<unknown> {
    return this.send({
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
    const cause = this.expectClose ?? (ws.notice ? `after ${ws.notice}` : `unexpected: ${reason}`);
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
      this.harvested.transport = d.id;
    if (event === 'media:produce' && typeof d.producerId === 'string') this.harvested.producer = d.producerId;
    if (event === 'media:consume' && typeof d.id === 'string') this.harvested.consumer = d.id;
  }

  // ---------------------------------------------------------------- sending

  async drain(): Promise<void> {
    while (this.inFlight() > 0 && this.#ws && !this.#ws.closed) await sleep(10);
  }

  /** Sends one request (with an ack id unless its form has none) and answers its ack (null if none came). */
  send(r: SendRequest): Promise<unknown> {
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

  /** Requests still awaited (those past their timeout were counted unanswered and no longer hold the connection). */
  inFlight(): number {
    let n = 0;
    for (const p of this.#pending.values()) if (!p.overdue) n++;
    return n;
  }
}
