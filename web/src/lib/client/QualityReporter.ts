/**
 * A page's quality reports: while the page is in the lesson with its media up, every QUALITY_REPORT_MS it
 * samples its peer connections (quality.ts), sends what changed since the last sample (`quality:report`)
 * and passes on the server's verdict (its level, and what the page should say). The first sample after a
 * start is only a baseline. A report that fails (the link dropped, refused too soon) is dropped: the next
 * one covers its own interval. A stop forgets the verdict: what the server said of the link before a drop or
 * a rejoin is not said of the one the page has after it.
 */
import { QUALITY_REPORT_MS } from '@cloudschool/protocol';
import type { QualityReport, QualityVerdict } from '@cloudschool/protocol';
import type { StatsSource } from './inboundStats.ts';
import { qualityReport, readReceive, readSend, type QualitySample } from './quality.ts';

/** Where the page's stats come from; null: it has no such side (yet). */
export interface QualitySources {
  received(): Promise<{ report: StatsSource; ssrcs: ReadonlySet<number> } | null>;
  sent(): Promise<StatsSource | null>;
}

export interface QualityListener {
  /** The server's answer to a report; null when the reporter stopped after one (no verdict stands). */
  verdict(verdict: QualityVerdict | null, report: QualityReport | null): void;
}

export class QualityReporter {
  readonly #sources: QualitySources;
  readonly #send: (report: QualityReport) => Promise<QualityVerdict>;
  readonly #listener: QualityListener;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #last: QualitySample | null = null;
  /** Bumped by start() and stop(): a sample taken for an earlier run is dropped. */
  #run = 0;
  /** A verdict was passed on since the last stop. */
  #told = false;

  constructor(
    sources: QualitySources,
    send: (report: QualityReport) => Promise<QualityVerdict>,
    listener: QualityListener,
    intervalMs = QUALITY_REPORT_MS,
  ) {
    this.#sources = sources;
    this.#send = send;
    this.#listener = listener;
    this.#intervalMs = intervalMs;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Starts sampling (idempotent): a baseline now, a report every interval. */
  start(): void {
    if (this.#timer !== undefined) return;
    const run = ++this.#run;
    this.#last = null;
    this.#timer = setInterval(() => void this.#tick(run), this.#intervalMs);
    void this.#tick(run);
  }

  /** Stops (idempotent) and forgets the verdict; the next start() begins with a new baseline. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#run++;
    this.#last = null;
    if (this.#told) {
      this.#told = false;
      this.#listener.verdict(null, null);
    }
  }

  async #tick(run: number): Promise<void> {
    let sample: QualitySample;
    try {
      sample = await takeSample(this.#sources);
    } catch (error) {
      // A transport closed while it was read: the next tick reads the new one.
      console.warn('[cloudschool] quality sample', error);
      return;
    }
    if (run !== this.#run) return;
    const before = this.#last;
    this.#last = sample;
    const report = before && qualityReport(before, sample);
    if (!report) return;
    try {
      const verdict = await this.#send(report);
      if (run !== this.#run) return;
      this.#told = true;
      this.#listener.verdict(verdict, report);
    } catch {
      // Not in the lesson right now, or too soon after the last one: the next report covers its own interval.
    }
  }
}

/** One sample of the page's receive and send sides, now. */
export async function takeSample(sources: QualitySources): Promise<QualitySample> {
  const [received, sent] = await Promise.all([sources.received(), sources.sent()]);
  return {
    at: Date.now(),
    received: received && readReceive(received.report, received.ssrcs),
    sent: sent && readSend(sent),
  };
}
