/**
 * The server-side trace of `npm run bench:networks` (support/mediaTrace.ts) made into figures per page, over a
 * measurement window: which simulcast layer mediasoup forwarded to it (time shares), how often it switched,
 * its consumer's score, and the bandwidth it estimated for the page (transport-cc, mediasoup's own). Pure but
 * for reading the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { TraceLine } from './mediaTrace.ts';

export interface SfuView {
  /** Spatial layer forwarded (0 = ≈ 180p … 2 = 720p; -1 = none), as shares of the window's time. */
  spatial: { layer: number; share: number }[];
  /** Temporal layer forwarded (0 = 7.5, 1 = 15, 2 = 30 fps of the layer), shares of the time. */
  temporal: { layer: number; share: number }[];
  layerChanges: number;
  /** The consumer's score (10 = nothing lost after retransmissions; null = no consumer), as shares of the time. */
  scores: { score: number | null; share: number }[];
  /** The estimate of the bitrate available to the page, kbit/s: time-weighted mean, and the lowest. */
  availableKbps: number | null;
  minAvailableKbps: number | null;
  /** What its consumers wanted (their layers' bitrate), kbit/s, mean. */
  desiredKbps: number | null;
}

export function readTrace(file: string): TraceLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TraceLine);
}

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** Time-weighted shares of a value that holds from each change to the next, over [from, to]. */
function shares(changes: { t: number; value: number }[], from: number, to: number) {
  const spans = new Map<number, number>();
  const sorted = [...changes].sort((a, b) => a.t - b.t);
  let value = -1;
  for (const c of sorted) if (c.t <= from) value = c.value;
  let at = from;
  for (const c of sorted) {
    if (c.t <= from) continue;
    if (c.t >= to) break;
    spans.set(value, (spans.get(value) ?? 0) + (c.t - at));
    at = c.t;
    value = c.value;
  }
  spans.set(value, (spans.get(value) ?? 0) + (to - at));
  const all = to - from;
  return [...spans]
    .map(([layer, ms]) => ({ layer, share: round(ms / all) }))
    .filter((s) => s.share > 0)
    .sort((a, b) => b.share - a.share);
}

/** What the SFU did for one page (its video consumers of simulcast producers) in [from, to]. */
export function sfuView(lines: TraceLine[], peerId: string, from: number, to: number): SfuView | null {
  const consumers = lines.filter(
    (l): l is Extract<TraceLine, { type: 'consumer' }> => l.type === 'consumer' && l.peerId === peerId,
  );
  if (consumers.length === 0) return null;
  const ids = new Set(consumers.map((c) => c.consumerId));
  const transports = new Set(consumers.map((c) => c.transportId));
  // A page has one main video consumer at a time: a later one (after a reconnect) replaces the earlier.
  const spatial: { t: number; value: number }[] = [];
  const temporal: { t: number; value: number }[] = [];
  const scores: { t: number; value: number }[] = [];
  let changes = 0;
  for (const l of lines) {
    if (l.type === 'consumer' && ids.has(l.consumerId)) {
      spatial.push({ t: l.t, value: -1 });
      temporal.push({ t: l.t, value: -1 });
      // Until its first 'score' event a consumer has the 10 it starts with.
      scores.push({ t: l.t, value: 10 });
    } else if (l.type === 'layers' && ids.has(l.consumerId)) {
      spatial.push({ t: l.t, value: l.spatial ?? -1 });
      temporal.push({ t: l.t, value: l.temporal ?? -1 });
      if (l.t >= from && l.t <= to) changes++;
    } else if (l.type === 'score' && ids.has(l.consumerId)) {
      scores.push({ t: l.t, value: l.score });
    }
  }
  const bwe = lines.filter(
    (l): l is Extract<TraceLine, { type: 'bwe' }> => l.type === 'bwe' && transports.has(l.transportId),
  );
  const inWindow = bwe.filter((l) => l.t >= from && l.t <= to);
  const mean = (xs: number[]): number | null =>
    xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  const kbps = (x: number | null): number | null => (x === null ? null : Math.round(x / 1000));
  return {
    spatial: shares(spatial, from, to),
    temporal: shares(temporal, from, to),
    layerChanges: changes,
    scores: shares(scores, from, to).map(({ layer, share }) => ({ score: layer < 0 ? null : layer, share })),
    availableKbps: kbps(mean(inWindow.map((l) => l.available))),
    minAvailableKbps: kbps(inWindow.length ? Math.min(...inWindow.map((l) => l.available)) : null),
    desiredKbps: kbps(mean(inWindow.map((l) => l.desired))),
  };
}
