import { describe, expect, it } from 'vitest';
import { qualityReport as reportSchema } from '@cloudschool/protocol';
import type { StatsSource } from './inboundStats.ts';
import {
  mediaFlowing,
  qualityReport,
  readPair,
  readReceive,
  readSend,
  type InboundSnapshot,
  type OutboundSnapshot,
  type QualitySample,
} from './quality.ts';
import { classroomReceive, classroomSend, hostReceive, hostSend } from './qualityStats.fixtures.ts';

const source = (stats: readonly unknown[]): StatsSource => new Map(stats.map((s, i) => [String(i), s]));

/** The recorded sample's time: its transport entry's timestamp. */
function at(stats: readonly unknown[]): number {
  const t = stats.find((s) => (s as { type: string }).type === 'transport') as { timestamp: number };
  return t.timestamp;
}

/** The classroom's consumers of the host's camera and microphone (the recording's SSRCs). */
const HOST_CAMERA = 377302568;
const HOST_MIC = 589839437;
const consumers = new Set([HOST_CAMERA, HOST_MIC]);

function classroomSample(i: 0 | 1): QualitySample {
  return {
    at: at(classroomReceive[i]),
    received: readReceive(source(classroomReceive[i]), consumers),
    sent: readSend(source(classroomSend[i])),
  };
}

const SECONDS = (at(classroomReceive[1]) - at(classroomReceive[0])) / 1000;

describe('reading getStats()', () => {
  it("keeps the consumers' streams, never mediasoup's probator", () => {
    const ours = readReceive(source(classroomReceive[0]), consumers).inbound;
    expect(ours.map((s) => [s.kind, s.ssrc])).toEqual(
      expect.arrayContaining([
        ['video', HOST_CAMERA],
        ['audio', HOST_MIC],
      ]),
    );
    expect(ours).toHaveLength(2);
    // Without SSRCs: every inbound stream but the probator.
    const all = readReceive(source(classroomReceive[0]), null).inbound;
    expect(all.map((s) => s.ssrc).sort()).toEqual([HOST_CAMERA, HOST_MIC].sort());
  });

  it('reads the selected candidate pair', () => {
    expect(readPair(source(classroomReceive[1]))).toEqual({
      rttMs: 23,
      availableIncomingKbps: null,
      availableOutgoingKbps: expect.any(Number),
    });
    expect(readPair(source(classroomSend[1]))?.availableOutgoingKbps).toBeCloseTo(2207.201, 3);
  });

  it('finds the nominated pair when the transport does not point at one', () => {
    const pairs = [
      { type: 'candidate-pair', id: 'a', state: 'failed', nominated: false, currentRoundTripTime: 9 },
      { type: 'candidate-pair', id: 'b', state: 'succeeded', nominated: true, currentRoundTripTime: 0.05 },
    ];
    expect(readPair(source(pairs))?.rttMs).toBe(50);
    expect(readPair(source([]))).toBeNull();
  });

  it('reads every simulcast layer and what the server said of them', () => {
    const sent = readSend(source(hostSend[1]));
    expect(
      sent.outbound
        .filter((s) => s.kind === 'video')
        .map((s) => s.frameWidth)
        .sort(),
    ).toEqual([1280, 320, 640]);
    expect(sent.remote).toHaveLength(4);
  });
});

describe('a report from two recorded samples', () => {
  const report = qualityReport(classroomSample(0), classroomSample(1))!;

  it('is what the protocol accepts', () => {
    expect(reportSchema.parse(report)).toEqual(report);
    expect(report.intervalMs).toBe(Math.round(SECONDS * 1000));
  });

  it("gives the host's picture as received: size now, rates over the interval", () => {
    const video = report.received!.video!;
    // The picture went up from 640 × 360 to the top layer between the samples.
    expect([video.width, video.height]).toEqual([1280, 720]);
    expect(video.fps).toBeCloseTo((231 - 135) / SECONDS, 1);
    expect(video.kbps).toBeCloseTo((8 * (668156 - 306887)) / 1000 / SECONDS, 1);
    expect(video.freezes).toBe(1);
    expect(video.freezeMs).toBeCloseTo(278, 5);
    expect(video.lossPercent).toBeCloseTo((100 * 1) / (1 + 665 - 316), 2);
    expect(video.jitterBufferMs).toBeCloseTo((1000 * (7.195997 - 1.456971)) / (231 - 135), 1);
  });

  it("gives the host's sound: loss, concealment, jitter", () => {
    expect(report.received!.audio).toEqual({
      lossPercent: 0,
      concealedPercent: expect.closeTo((100 * 8382) / (681600 - 408960), 2),
      jitterMs: 16,
    });
    expect(report.received!.rttMs).toBe(23);
    expect(report.received!.availableKbps).toBeNull();
  });

  it('gives what the classroom sends: the top layer, all layers’ bitrate, the server’s loss and round trip', () => {
    const sent = report.sent!;
    const seconds = (at(classroomSend[1]) - at(classroomSend[0])) / 1000;
    expect(sent.video).toMatchObject({ width: 1280, height: 720, limitation: 'none' });
    // The report's interval is the samples' (the receive side's clock): the send side is read at the same time.
    expect(sent.video!.fps).toBeCloseTo((118 - 13) / SECONDS, 1);
    const bytes = 1030561 - 783471 + (441993 - 30819) + (590029 - 364012);
    expect(sent.video!.kbps).toBeCloseTo((8 * bytes) / 1000 / SECONDS, 1);
    expect(seconds).toBeCloseTo(SECONDS, 1);
    expect(sent.lossPercent).toBe(0);
    expect(sent.rttMs).toBeCloseTo(40.28, 2);
    expect(sent.availableKbps).toBeCloseTo(2207.2, 1);
  });

  it("reports the host's broadcast and the tile it receives, all within the protocol", () => {
    const host = qualityReport(
      {
        at: at(hostSend[0]),
        received: readReceive(source(hostReceive[0]), new Set()),
        sent: readSend(source(hostSend[0])),
      },
      {
        at: at(hostSend[1]),
        received: readReceive(source(hostReceive[1]), new Set()),
        sent: readSend(source(hostSend[1])),
      },
    )!;
    expect(reportSchema.parse(host)).toEqual(host);
    // No stage classroom: nothing of the main media, but the link is known.
    expect(host.received).toMatchObject({ video: null, audio: null });
    expect(host.received!.rttMs).toEqual(expect.any(Number));
    expect(host.sent!.video).toMatchObject({ width: 1280, height: 720, limitation: 'none' });
  });
});

// ---------------------------------------------------------------- made-up edges

function inbound(over: Partial<InboundSnapshot>): InboundSnapshot {
  return {
    kind: 'video',
    ssrc: 1,
    packetsReceived: 0,
    packetsLost: 0,
    bytesReceived: 0,
    jitterBufferDelay: 0,
    jitterBufferEmittedCount: 0,
    jitter: 0,
    framesDecoded: 0,
    frameWidth: 0,
    frameHeight: 0,
    freezeCount: 0,
    totalFreezesDuration: 0,
    totalSamplesReceived: 0,
    concealedSamples: 0,
    ...over,
  };
}

function outbound(over: Partial<OutboundSnapshot>): OutboundSnapshot {
  return {
    kind: 'video',
    ssrc: 1,
    bytesSent: 0,
    framesEncoded: 0,
    frameWidth: 0,
    frameHeight: 0,
    qualityLimitationReason: 'none',
    ...over,
  };
}

const sample = (at: number, ins: InboundSnapshot[] | null, outs: OutboundSnapshot[] | null = null) => ({
  at,
  received: ins && { inbound: ins, pair: null },
  sent: outs && { outbound: outs, remote: [], pair: null },
});

describe('the arithmetic at the edges', () => {
  it('counts a stream that appeared in between from zero, and one that started again', () => {
    const before = sample(0, [
      inbound({ ssrc: 1, framesDecoded: 500, packetsReceived: 800, bytesReceived: 900_000 }),
    ]);
    const fresh = qualityReport(
      before,
      sample(2000, [inbound({ ssrc: 2, framesDecoded: 40, packetsReceived: 60 })]),
    )!;
    expect(fresh.received!.video!.fps).toBe(20);
    const again = sample(2000, [
      inbound({ ssrc: 1, framesDecoded: 30, packetsReceived: 45, bytesReceived: 50_000 }),
    ]);
    expect(qualityReport(before, again)!.received!.video).toMatchObject({ fps: 15, kbps: 200 });
  });

  it('never reports negative loss (duplicates) and keeps within the protocol', () => {
    const before = sample(0, [inbound({ packetsLost: 5, packetsReceived: 100 })]);
    const after = sample(1000, [inbound({ packetsLost: 3, packetsReceived: 200, frameWidth: 99_999 })]);
    const report = qualityReport(before, after)!;
    expect(report.received!.video!.lossPercent).toBe(0);
    expect(reportSchema.parse(report)).toEqual(report);
  });

  it('refuses samples too close together, and clamps a late one to the protocol’s minute', () => {
    expect(qualityReport(sample(0, []), sample(300, []))).toBeNull();
    expect(qualityReport(sample(0, []), sample(90_000, []))!.intervalMs).toBe(60_000);
  });

  it('says nothing of a side the page does not have', () => {
    const report = qualityReport(sample(0, null, null), sample(5000, [], null))!;
    expect(report).toEqual({ intervalMs: 5000, received: null, sent: null });
  });

  it('takes the top layer still sending, and the bandwidth limit if any layer has it', () => {
    const before = [
      outbound({ ssrc: 1, frameWidth: 320, bytesSent: 100, framesEncoded: 10 }),
      outbound({ ssrc: 3, frameWidth: 1280, frameHeight: 720, bytesSent: 5000, framesEncoded: 10 }),
    ];
    const after = [
      outbound({
        ssrc: 1,
        frameWidth: 320,
        frameHeight: 180,
        bytesSent: 1100,
        framesEncoded: 40,
        qualityLimitationReason: 'bandwidth',
      }),
      // Switched off by the browser: its last figures stay, nothing moves.
      outbound({ ssrc: 3, frameWidth: 1280, frameHeight: 720, bytesSent: 5000, framesEncoded: 10 }),
    ];
    const sent = qualityReport(sample(0, null, before), sample(1000, null, after))!.sent!;
    expect(sent.video).toEqual({ width: 320, height: 180, fps: 30, kbps: 8, limitation: 'bandwidth' });
    expect(sent.lossPercent).toBeNull();
  });

  it('sends nothing of a page whose senders stopped', () => {
    const outs = [outbound({ bytesSent: 100 })];
    expect(qualityReport(sample(0, null, outs), sample(1000, null, outs))!.sent).toBeNull();
  });

  it('judges the worst of several stage classrooms', () => {
    const before = sample(0, [inbound({ ssrc: 1 }), inbound({ ssrc: 2 })]);
    const after = sample(1000, [
      inbound({ ssrc: 1, framesDecoded: 30, packetsReceived: 90 }),
      inbound({ ssrc: 2, framesDecoded: 5, packetsReceived: 15 }),
    ]);
    expect(qualityReport(before, after)!.received!.video!.fps).toBe(5);
  });

  it('leaves out a stream that brought no packet in the interval: the server knows whether one was sent', () => {
    const picture = (frames: number) =>
      inbound({ ssrc: 1, framesDecoded: frames, packetsReceived: 3 * frames });
    const mutedOnStage = inbound({ ssrc: 2, kind: 'audio', packetsReceived: 40, totalSamplesReceived: 9600 });
    const before = sample(0, [picture(100), mutedOnStage]);
    const after = sample(1000, [picture(130), mutedOnStage]);
    expect(qualityReport(before, after)!.received).toMatchObject({ video: { fps: 30 }, audio: null });
    const stalled = qualityReport(before, sample(1000, [picture(100), mutedOnStage]))!;
    expect([stalled.received?.video ?? null, stalled.received?.audio ?? null]).toEqual([null, null]);
  });
});

describe('media flowing again', () => {
  const video = (frames: number, packets = 0) => [
    inbound({ ssrc: 1, framesDecoded: frames }),
    inbound({ ssrc: 2, kind: 'audio', packetsReceived: packets }),
  ];

  it('on a page that plays main media: its frames decode', () => {
    expect(mediaFlowing(sample(0, video(10, 5)), sample(200, video(12, 5)), true)).toBe(true);
    // Sound alone is not the picture back.
    expect(mediaFlowing(sample(0, video(10, 5)), sample(200, video(10, 9)), true)).toBe(false);
    // Not received yet (the consumers are being made again).
    expect(mediaFlowing(sample(0, []), sample(200, []), true)).toBe(false);
    const sound = (packets: number) => [inbound({ kind: 'audio', packetsReceived: packets })];
    expect(mediaFlowing(sample(0, sound(1)), sample(200, sound(4)), true)).toBe(true);
  });

  it('on a page that plays nothing: what it sends moves', () => {
    const sending = (bytes: number) => sample(0, [], [outbound({ bytesSent: bytes })]);
    expect(mediaFlowing(sending(10), sending(20), false)).toBe(true);
    expect(mediaFlowing(sending(10), sending(10), false)).toBe(false);
  });
});
