import { describe, expect, it } from 'vitest';
import { audioInbound, lessonInbound, videoInbound, type StatsSource } from './inboundStats.ts';

function report(...stats: unknown[]): StatsSource {
  return new Map(stats.map((stat, i) => [String(i), stat]));
}

const probator = { type: 'inbound-rtp', kind: 'video', ssrc: 1234, packetsReceived: 40, framesDecoded: 0 };
const camera = { type: 'inbound-rtp', kind: 'video', ssrc: 5555, packetsReceived: 900, framesDecoded: 290 };
const mic = {
  type: 'inbound-rtp',
  kind: 'audio',
  ssrc: 7777,
  packetsReceived: 500,
  totalSamplesReceived: 480000,
};

describe('inbound stats', () => {
  it("reads the consumer's own video stream, not mediasoup's probator", () => {
    expect(videoInbound(report(probator, camera, { type: 'transport' }), 5555)).toEqual({
      framesDecoded: 290,
      packetsReceived: 900,
    });
  });

  it('reads the audio stream', () => {
    expect(audioInbound(report(camera, mic), 7777)).toEqual({
      packetsReceived: 500,
      totalSamplesReceived: 480000,
    });
  });

  it('takes the first stream of the kind when the SSRC is unknown', () => {
    expect(audioInbound(report(camera, mic), undefined)?.packetsReceived).toBe(500);
  });

  it('is null without a matching stream and zero for missing counters', () => {
    expect(videoInbound(report(mic), 5555)).toBeNull();
    expect(videoInbound(report({ type: 'inbound-rtp', kind: 'video', ssrc: 1 }), 1)).toEqual({
      framesDecoded: 0,
      packetsReceived: 0,
    });
  });
});

describe('lesson inbound', () => {
  const frames = { framesDecoded: 10, packetsReceived: 20 };
  const sound = { packetsReceived: 30, totalSamplesReceived: 40 };

  it("sorts consumers into the host's, the stage's and the grid's", () => {
    expect(
      lessonInbound([
        { classroomId: null, main: true, grid: false, kind: 'video', video: frames },
        { classroomId: null, main: true, grid: false, kind: 'audio', audio: sound },
        { classroomId: 'c2', main: true, grid: true, kind: 'video', video: frames },
        { classroomId: 'c2', main: true, grid: false, kind: 'audio', audio: sound },
        { classroomId: 'c3', main: false, grid: true, kind: 'video', video: frames },
      ]),
    ).toEqual({
      video: frames,
      audio: sound,
      stage: { c2: { video: frames, audio: sound } },
      grid: { c2: frames, c3: frames },
    });
  });

  it('is empty without consumers, and keeps a stage classroom without video', () => {
    expect(lessonInbound([])).toEqual({ video: null, audio: null, stage: {}, grid: {} });
    expect(
      lessonInbound([{ classroomId: 'c4', main: true, grid: false, kind: 'audio', audio: sound }]).stage,
    ).toEqual({ c4: { video: null, audio: sound } });
  });
});
