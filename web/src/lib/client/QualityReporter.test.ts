import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { QualityReport, QualityVerdict } from '@cloudschool/protocol';
import { QualityReporter, type QualitySources } from './QualityReporter.ts';

/** A page receiving one picture that decodes 25 frames a second, sending nothing. */
function page(): QualitySources {
  const started = Date.now();
  return {
    received: async () => {
      const frames = Math.round(((Date.now() - started) / 1000) * 25);
      const stats = [
        {
          type: 'inbound-rtp',
          kind: 'video',
          ssrc: 7,
          framesDecoded: frames,
          packetsReceived: 3 * frames,
          frameHeight: 720,
        },
      ];
      return { report: new Map(stats.map((s, i) => [String(i), s])), ssrcs: new Set([7]) };
    },
    sent: async () => null,
  };
}

describe('quality reports', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports every interval after a baseline, and passes the verdict on', async () => {
    const sent: QualityReport[] = [];
    const verdicts: (QualityVerdict | null)[] = [];
    const reporter = new QualityReporter(
      page(),
      async (report) => {
        sent.push(report);
        return { level: 'good', hint: 'none' };
      },
      { verdict: (verdict) => verdicts.push(verdict) },
      5000,
    );
    reporter.start();
    await vi.advanceTimersByTimeAsync(4999);
    expect(sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ intervalMs: 5000, sent: null });
    expect(sent[0]!.received!.video).toMatchObject({ fps: 25, height: 720 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent).toHaveLength(3);
    expect(verdicts).toHaveLength(3);
    reporter.stop();
  });

  it('starts over with a new baseline after a stop, and drops a failed report', async () => {
    const sent: QualityReport[] = [];
    let refuse = true;
    const reporter = new QualityReporter(
      page(),
      async (report) => {
        sent.push(report);
        if (refuse) throw new Error('not_joined');
        return { level: 'fair', hint: 'lowered' };
      },
      { verdict: () => undefined },
      5000,
    );
    reporter.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(sent).toHaveLength(1);
    reporter.stop();
    expect(reporter.running).toBe(false);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(sent).toHaveLength(1);
    refuse = false;
    reporter.start();
    reporter.start();
    await vi.advanceTimersByTimeAsync(5000);
    // One report, over the 5 s since the new start (not the 25 s since the first).
    expect(sent).toHaveLength(2);
    expect(sent[1]!.intervalMs).toBe(5000);
    reporter.stop();
  });
  it('forgets its verdict when it stops, and drops one answered after the stop', async () => {
    const heard: (QualityVerdict | null)[] = [];
    let answer: ((verdict: QualityVerdict) => void) | undefined;
    let late = false;
    const reporter = new QualityReporter(
      page(),
      (): Promise<QualityVerdict> =>
        late
          ? new Promise((resolve) => (answer = resolve))
          : Promise.resolve({ level: 'good', hint: 'none' }),
      { verdict: (verdict) => heard.push(verdict) },
      5000,
    );
    reporter.stop();
    expect(heard).toEqual([]);
    reporter.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(heard).toEqual([{ level: 'good', hint: 'none' }]);
    reporter.stop();
    reporter.stop();
    // Once: the page shows no level until a report on its new link is answered.
    expect(heard).toEqual([{ level: 'good', hint: 'none' }, null]);
    late = true;
    reporter.start();
    await vi.advanceTimersByTimeAsync(5000);
    reporter.stop();
    answer!({ level: 'bad', hint: 'bad' });
    await vi.advanceTimersByTimeAsync(0);
    expect(heard).toEqual([{ level: 'good', hint: 'none' }, null]);
  });
});
