/** The lab's arithmetic: percentiles, delay summaries, receive and send metrics between two snapshots. */
import { describe, expect, it } from 'vitest';
import { delaySummary, percentile, receiveMetrics, sendMetrics } from '@cloudschool/testkit';
import type { InboundStream, OutboundStream, StatsSnapshot } from '@cloudschool/testkit';

const inbound = (o: Partial<InboundStream>): InboundStream => ({
  kind: 'video',
  ssrc: 1,
  trackIdentifier: 't',
  shown: false,
  timestamp: 0,
  packetsReceived: 0,
  packetsLost: 0,
  bytesReceived: 0,
  jitterBufferDelay: 0,
  jitterBufferEmittedCount: 0,
  nackCount: 0,
  framesDecoded: 0,
  framesDropped: 0,
  frameWidth: 0,
  frameHeight: 0,
  freezeCount: 0,
  totalFreezesDuration: 0,
  keyFramesDecoded: 0,
  pliCount: 0,
  totalSamplesReceived: 0,
  concealedSamples: 0,
  ...o,
});

const outbound = (o: Partial<OutboundStream>): OutboundStream => ({
  kind: 'video',
  ssrc: 1,
  rid: '',
  timestamp: 0,
  packetsSent: 0,
  bytesSent: 0,
  retransmittedBytesSent: 0,
  framesEncoded: 0,
  frameWidth: 0,
  frameHeight: 0,
  targetBitrate: 0,
  qualityLimitationReason: 'none',
  ...o,
});

const snap = (i: InboundStream[], o: OutboundStream[] = []): StatsSnapshot => ({ inbound: i, outbound: o });

describe('percentile / delaySummary', () => {
  it('takes the nearest rank', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 100], 95)).toBe(19);
  });

  it('counts reads and misses', () => {
    const s = delaySummary({
      samples: [100, 300, 200].map((d) => ({ sentAt: 0, now: d, delayMs: d, width: 1280, height: 720 })),
      misses: { 'no-video': 1, 'no-frame': 0, unreadable: 2 },
    });
    expect(s).toMatchObject({ reads: 6, samples: 3, p50: 200, p95: 300, min: 100, max: 300 });
  });
});

describe('receiveMetrics', () => {
  it('prefers the shown stream, gives rates and ratios over the interval', () => {
    const before = snap([
      inbound({
        ssrc: 1,
        shown: true,
        timestamp: 1000,
        packetsReceived: 100,
        framesDecoded: 30,
        bytesReceived: 0,
      }),
      inbound({ ssrc: 2, timestamp: 1000, bytesReceived: 10 }),
      inbound({ kind: 'audio', ssrc: 3, shown: true, timestamp: 1000 }),
    ]);
    const after = snap([
      inbound({
        ssrc: 1,
        shown: true,
        timestamp: 11_000,
        packetsReceived: 1070,
        packetsLost: 30,
        framesDecoded: 330,
        bytesReceived: 1_250_000,
        frameWidth: 1280,
        frameHeight: 720,
        freezeCount: 2,
        totalFreezesDuration: 1.5,
        jitterBufferDelay: 12,
        jitterBufferEmittedCount: 300,
      }),
      inbound({ ssrc: 2, timestamp: 11_000, bytesReceived: 9_999_999 }),
      inbound({
        kind: 'audio',
        ssrc: 3,
        shown: true,
        timestamp: 11_000,
        packetsReceived: 500,
        totalSamplesReceived: 480_000,
        concealedSamples: 48_000,
      }),
    ]);
    const m = receiveMetrics(before, after);
    expect(m.seconds).toBe(10);
    expect(m.video).toMatchObject({
      width: 1280,
      height: 720,
      fps: 30,
      kbps: 1000,
      freezeCount: 2,
      freezeSeconds: 1.5,
    });
    expect(m.video!.lossPercent).toBeCloseTo(3);
    expect(m.video!.jitterBufferMs).toBeCloseTo(40);
    expect(m.audio!.concealedPercent).toBeCloseTo(10);
    expect(m.audio!.lossPercent).toBe(0);
  });

  it('counts a voice that played no sample as all concealed, not as none', () => {
    const voice = (timestamp: number) => inbound({ kind: 'audio', ssrc: 3, shown: true, timestamp });
    expect(receiveMetrics(snap([voice(1000)]), snap([voice(11_000)])).audio!.concealedPercent).toBe(100);
  });

  it('has no video when nothing is received', () => {
    expect(receiveMetrics(snap([]), snap([]))).toEqual({ seconds: 0, video: null, audio: null });
  });
});

describe('sendMetrics', () => {
  it('adds the layers up and reports the largest', () => {
    const before = snap(
      [],
      [
        outbound({ ssrc: 1, timestamp: 0, frameWidth: 320 }),
        outbound({ ssrc: 2, timestamp: 0, frameWidth: 1280, framesEncoded: 0 }),
        outbound({ kind: 'audio', ssrc: 3, timestamp: 0 }),
      ],
    );
    const after = snap(
      [],
      [
        outbound({ ssrc: 1, timestamp: 2000, frameWidth: 320, bytesSent: 25_000 }),
        outbound({
          ssrc: 2,
          timestamp: 2000,
          frameWidth: 1280,
          frameHeight: 720,
          bytesSent: 375_000,
          framesEncoded: 60,
        }),
        outbound({ kind: 'audio', ssrc: 3, timestamp: 2000, bytesSent: 8_000 }),
      ],
    );
    expect(sendMetrics(before, after)).toMatchObject({
      seconds: 2,
      videoKbps: 1600,
      audioKbps: 32,
      width: 1280,
      height: 720,
      fps: 30,
    });
  });
});
