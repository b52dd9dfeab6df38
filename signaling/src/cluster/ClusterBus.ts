import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from '../logger.ts';
import type { IoServer } from '../socket/types.ts';
import type { ClusterEvent, ClusterRequest } from './messages.ts';

/** What travels between nodes on the Socket.IO adapter: an event for everyone, or a request/reply for one node. */
export type ClusterEnvelope =
  | { kind: 'event'; from: string; event: ClusterEvent }
  | { kind: 'request'; from: string; to: string; id: string; request: ClusterRequest }
  | { kind: 'reply'; from: string; to: string; id: string; ok: true; result: unknown }
  | { kind: 'reply'; from: string; to: string; id: string; ok: false; error: string };

export interface ClusterBusEvents {
  event: [from: string, event: ClusterEvent];
}

const REQUEST_TIMEOUT_MS = 5000;

/**
 * This node's line to the other nodes of a cluster, over the Socket.IO adapter (Redis streams):
 * events for every other node, and requests answered by one. A node alone (no adapter across nodes)
 * has nobody to tell: `clustered` is false and events go nowhere.
 */
export class ClusterBus extends EventEmitter<ClusterBusEvents> {
  readonly nodeId: string;
  readonly clustered: boolean;
  readonly #io: IoServer;
  readonly #log: Logger;
  readonly #pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #serve: ((from: string, request: ClusterRequest) => Promise<unknown>) | undefined;

  constructor(io: IoServer, nodeId: string, clustered: boolean, log: Logger) {
    super();
    this.#io = io;
    this.nodeId = nodeId;
    this.clustered = clustered;
    this.#log = log.child({ component: 'cluster' });
    if (clustered) io.on('cluster', (envelope) => this.#receive(envelope));
  }

  /** Tells every other node. */
  publish(event: ClusterEvent): void {
    if (this.clustered) this.#send({ kind: 'event', from: this.nodeId, event });
  }

  /** Asks one node; fails after a few seconds without an answer (the node may be gone). */
  request(to: string, request: ClusterRequest): Promise<unknown> {
    if (!this.clustered) return Promise.reject(new Error('this node is not in a cluster'));
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
  serve(handler: (from: string, request: ClusterRequest) => Promise<unknown>): void {
    this.#serve = handler;
  }

  close(): void {
    for (const { reject } of this.#pending.values()) reject(new Error('cluster bus closed'));
    this.#pending.clear();
  }

  #send(envelope: ClusterEnvelope): void {
    this.#io.serverSideEmit('cluster', envelope);
  }

  #receive(envelope: ClusterEnvelope): void {
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
        this.#log.warn({ err: error, from }, 'cluster request failed');
        const message = error instanceof Error ? error.message : String(error);
        this.#send({ kind: 'reply', from: this.nodeId, to: from, id, ok: false, error: message });
      },
    );
  }
}
