import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { IoServer } from '../socket/types.ts';
import { clusterEnvelope } from './messages.ts';
import { UnsealError } from './Seal.ts';
import type { Seal } from './Seal.ts';
import type { ClusterEnvelope, ClusterEvent } from './messages.ts';

type PipeRequest = Extract<ClusterEnvelope, { kind: 'request' }>['request'];

export interface ClusterBusEvents {
  event: [from: string, event: ClusterEvent];
}

const REQUEST_TIMEOUT_MS = 5000;

/**
 * This node's line to the other nodes of a cluster, over the Socket.IO adapter (Redis streams): events
 * for every other node, and requests answered by one. Every message is sealed with the cluster secret
 * (Seal.ts); one that does not open, or does not parse, is dropped and logged.
 */
export class ClusterBus extends EventEmitter<ClusterBusEvents> {
  readonly nodeId: string;
  readonly #io: IoServer;
  readonly #log: Logger;
  readonly #seal: Seal;
  readonly #pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #serve: ((from: string, request: PipeRequest) => Promise<unknown>) | undefined;
  #closed = false;

  constructor(io: IoServer, nodeId: string, seal: Seal, log: Logger) {
    super();
    this.#io = io;
    this.nodeId = nodeId;
    this.#seal = seal;
    this.#log = log;
    io.on('fabric', (message) => this.#receive(message));
  }

  /** Tells every other node. */
  publish(event: ClusterEvent): void {
    this.#send({ kind: 'event', from: this.nodeId, event });
  }

  /** Asks one node; fails after a few seconds without an answer (the node may be gone). */
  request(to: string, request: PipeRequest): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error('cluster bus closed'));
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`node ${to} did not answer`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.#send({ kind: 'request', from: this.nodeId, to, id, request });
    });
  }

  /** Who answers the requests addressed to this node. */
  serve(handler: (from: string, request: PipeRequest) => Promise<unknown>): void {
    this.#serve = handler;
  }

  close(): void {
    this.#closed = true;
    for (const { reject } of this.#pending.values()) reject(new Error('cluster bus closed'));
    this.#pending.clear();
  }

  #send(envelope: ClusterEnvelope): void {
    if (!this.#closed) this.#io.serverSideEmit('fabric', this.#seal.seal(envelope));
  }

  #receive(sealed: unknown): void {
    if (this.#closed) return;
    let message: unknown;
    try {
      message = this.#seal.open(sealed);
    } catch (error) {
      if (!(error instanceof UnsealError)) throw error;
      this.#log.warn({ problem: error.message }, 'node message dropped: forged, unsigned or replayed');
      return;
    }
    const parsed = clusterEnvelope.safeParse(message);
    if (!parsed.success) {
      this.#log.warn({ problem: z.prettifyError(parsed.error) }, 'node message dropped: malformed');
      return;
    }
    const envelope = parsed.data;
    if (envelope.from === this.nodeId) return;
    if (envelope.kind === 'event') {
      this.emit('event', envelope.from, envelope.event);
      return;
    }
    if (envelope.to !== this.nodeId) return;
    if (envelope.kind === 'reply') {
      const pending = this.#pending.get(envelope.id);
      this.#pending.delete(envelope.id);
      if (envelope.ok) pending?.resolve(envelope.result);
      else pending?.reject(new Error(envelope.error));
      return;
    }
    const { from, id } = envelope;
    const answer = this.#serve
      ? this.#serve(from, envelope.request)
      : Promise.reject(new Error('no handler'));
    answer.then(
      (result) => this.#send({ kind: 'reply', from: this.nodeId, to: from, id, ok: true, result }),
      (error: unknown) => {
        this.#log.warn({ err: error, from }, 'node request failed');
        const message = error instanceof Error ? error.message : String(error);
        this.#send({
          kind: 'reply',
          from: this.nodeId,
          to: from,
          id,
          ok: false,
          error: message.slice(0, 1000),
        });
      },
    );
  }
}
