/** What a link estimate needs of a transport (a mediasoup WebRtcTransport; a fake one in tests). */
export interface EstimatedTransport {
  enableTraceEvent(types: ['bwe']): Promise<void>;
  on(event: 'trace', listener: (trace: { type: string; info: unknown }) => void): unknown;
  off(event: 'trace', listener: (trace: { type: string; info: unknown }) => void): unknown;
}

/** How far back the estimate is kept. */
const KEEP_MS = 60_000;

/**
 * A receive transport's bandwidth estimate over time: mediasoup's transport-cc estimate of what the page's link
 * carries (its `bwe` trace, told when it changes, about once a second). A moment's estimate dips on any link
 * as it probes; what a link carries over tens of seconds is the highest it reached in that time.
 */
export class LinkEstimate {
  readonly #transport: EstimatedTransport;
  readonly #now: () => number;
  /** [when, kbit/s], oldest first; the first may be older than KEEP_MS: the value in effect at its start. */
  readonly #samples: [number, number][] = [];
  readonly #onTrace = (trace: { type: string; info: unknown }): void => {
    if (trace.type !== 'bwe') return;
    const available = (trace.info as { availableBitrate?: unknown } | null)?.availableBitrate;
    if (typeof available === 'number') this.#add(available / 1000);
  };

  private constructor(transport: EstimatedTransport, now: () => number) {
    this.#transport = transport;
    this.#now = now;
    transport.on('trace', this.#onTrace);
    // A transport closed meanwhile refuses: it has nothing more to tell.
    void transport.enableTraceEvent(['bwe']).catch(() => undefined);
  }

  static attach(transport: EstimatedTransport, now = Date.now): LinkEstimate {
    return new LinkEstimate(transport, now);
  }

  /**
   * The highest estimate in effect over the last `ms` (up to a minute), in kbit/s; null when the transport
   * has not told one from before then (a link this new is not judged).
   */
  highestKbps(ms: number): number | null {
    const from = this.#now() - Math.min(ms, KEEP_MS);
    const first = this.#samples[0];
    if (!first || first[0] > from) return null;
    let highest = 0;
    for (let i = 0; i < this.#samples.length; i++) {
      const next = this.#samples[i + 1];
      // A value replaced before the window opened was not in effect in it.
      if (next && next[0] <= from) continue;
      highest = Math.max(highest, this.#samples[i]![1]);
    }
    return highest;
  }

  /** The estimate in effect now, in kbit/s; null before the transport told one. */
  currentKbps(): number | null {
    return this.#samples.at(-1)?.[1] ?? null;
  }

  close(): void {
    this.#transport.off('trace', this.#onTrace);
  }

  #add(kbps: number): void {
    const now = this.#now();
    this.#samples.push([now, kbps]);
    // Keep the last value told before the kept minute: it was in effect at the minute's start.
    while (this.#samples.length > 1 && this.#samples[1]![0] <= now - KEEP_MS) this.#samples.shift();
  }
}
