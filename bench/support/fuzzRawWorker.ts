/** The raw-frame connections of `npm run fuzz`: RawWorker, sending frames no client library writes (fuzzRaw.ts). */
import { rawKinds } from './fuzzRaw.ts';
import type { RawItem } from './fuzzRaw.ts';
import { excerpt } from './fuzzTally.ts';
import { WireSocket } from './fuzzWire.ts';
import { bump, INTERVAL_MS, sleep } from './fuzzSocketShared.ts';
import type { Shared } from './fuzzSocketShared.ts';

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
