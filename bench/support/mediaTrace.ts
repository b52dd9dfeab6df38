/**
 * A preload for the server process of `npm run bench:networks` (`node --import …/mediaTrace.ts`): without a
 * line of the server changed, it notes what mediasoup decides for each page that receives video — the
 * simulcast layers its consumer forwards (`layerschange`), its score (from the page's receiver reports, net of
 * what retransmissions repaired), and its transport's bandwidth estimate (the `bwe` trace: the bitrate
 * available to that page and what its consumers want) — as JSON lines in the file
 * NETWORKS_TRACE_FILE. The benchmark reads them to tell, for a classroom whose picture dropped, what the SFU
 * chose and on which estimate (support/mediaTraceSummary.ts).
 *
 * Self-contained: node built-ins and the repository's mediasoup only.
 */
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** One line of the trace. */
export type TraceLine =
  | {
      t: number;
      type: 'consumer';
      peerId: string;
      consumerId: string;
      transportId: string;
      kind: string;
      simulcast: boolean;
    }
  | {
      t: number;
      type: 'layers';
      consumerId: string;
      spatial: number | null;
      temporal: number | null;
    }
  | { t: number; type: 'score'; consumerId: string; score: number }
  | {
      t: number;
      type: 'bwe';
      transportId: string;
      available: number;
      desired: number;
      effectiveDesired: number;
    };

const file = process.env.NETWORKS_TRACE_FILE;

interface ConsumerLike {
  id: string;
  kind: string;
  type: string;
  on(event: 'layerschange', f: (l?: { spatialLayer: number; temporalLayer?: number }) => void): void;
  on(event: 'score', f: (s: { score: number }) => void): void;
}
interface TransportLike {
  id: string;
  appData: { peerId?: string; direction?: string };
  enableTraceEvent(types: string[]): Promise<void>;
  on(event: 'trace', f: (t: { type: string; info: Record<string, number> }) => void): void;
}

if (file) {
  const write = (line: TraceLine): void => appendFileSync(file, JSON.stringify(line) + '\n');
  const require = createRequire(path.join(process.cwd(), 'package.json'));
  // The package's exports hide its modules: the file itself, the very one the server's mediasoup loads.
  const lib = path.dirname(require.resolve('mediasoup'));
  const { TransportImpl } = require(path.join(lib, 'Transport.js')) as {
    TransportImpl: { prototype: { consume(this: TransportLike, o: unknown): Promise<ConsumerLike> } };
  };
  const traced = new WeakSet<TransportLike>();
  const consume = TransportImpl.prototype.consume;
  TransportImpl.prototype.consume = async function (this: TransportLike, options: unknown) {
    const consumer = await consume.call(this, options);
    traceConsumer(this, consumer);
    return consumer;
  };
  const traceConsumer = (transport: TransportLike, consumer: ConsumerLike): void => {
    if (consumer.kind === 'video' && transport.appData.peerId) {
      write({
        t: Date.now(),
        type: 'consumer',
        peerId: transport.appData.peerId,
        consumerId: consumer.id,
        transportId: transport.id,
        kind: consumer.kind,
        simulcast: consumer.type === 'simulcast',
      });
      consumer.on('layerschange', (l) =>
        write({
          t: Date.now(),
          type: 'layers',
          consumerId: consumer.id,
          spatial: l?.spatialLayer ?? null,
          temporal: l?.temporalLayer ?? null,
        }),
      );
      consumer.on('score', (s) =>
        write({ t: Date.now(), type: 'score', consumerId: consumer.id, score: s.score }),
      );
      if (!traced.has(transport)) {
        traced.add(transport);
        transport.on('trace', (trace) => {
          if (trace.type !== 'bwe') return;
          write({
            t: Date.now(),
            type: 'bwe',
            transportId: transport.id,
            available: trace.info.availableBitrate ?? 0,
            desired: trace.info.desiredBitrate ?? 0,
            effectiveDesired: trace.info.effectiveDesiredBitrate ?? 0,
          });
        });
        void transport.enableTraceEvent(['bwe']).catch(() => undefined);
      }
    }
  };
}
