import { describe, expect, it } from 'vitest';
import type { QualityReport } from '@cloudschool/protocol';
import { judgeQuality } from '../../src/lesson/qualityLevel.ts';
import { receivingReport } from '../support/quality.ts';

const receiving = receivingReport;

const NOTHING_SENT = { audio: false, video: false };
const BOTH_SENT = { audio: true, video: true };

const judge = (
  report: QualityReport | null,
  receiveScore: number | null = 10,
  sendScore: number | null = null,
  expected = NOTHING_SENT,
) => judgeQuality({ report, expected, receiveScore, sendScore });

describe('one quality level from everything known', () => {
  it('says nothing until something was measured', () => {
    expect(judge(null)).toEqual({ level: 'unknown', hint: 'none' });
  });

  it('calls a clean link good', () => {
    expect(judge(receiving({}, {}))).toEqual({ level: 'good', hint: 'none' });
  });

  it('calls a lowered picture with clear sound fair, and says the picture was lowered', () => {
    expect(
      judge(receiving({ width: 640, height: 360, fps: 15 }, { lossPercent: 1, concealedPercent: 0.5 }, 170)),
    ).toEqual({
      level: 'fair',
      hint: 'lowered',
    });
  });

  it('calls breaking sound poor whatever the picture, and says the sound may break up', () => {
    expect(judge(receiving({}, { lossPercent: 5, concealedPercent: 4 }))).toEqual({
      level: 'poor',
      hint: 'weak',
    });
  });

  it('calls a lesson without sound or picture bad', () => {
    expect(judge(receiving({}, { concealedPercent: 20 })).level).toBe('bad');
    expect(judge(receiving({ fps: 2, freezeMs: 3000, freezes: 3 }, {})).level).toBe('bad');
    expect(judge(receiving({}, {}, 1200))).toEqual({ level: 'bad', hint: 'bad' });
  });

  it('calls a page bad that receives nothing of what the server sends it, and only then', () => {
    const nothing: QualityReport = { intervalMs: 5000, received: null, sent: null };
    expect(judge(nothing, 10, null, BOTH_SENT)).toEqual({ level: 'bad', hint: 'bad' });
    const soundOnly = { ...receiving({}, {}), received: { ...receiving({}, {}).received!, video: null } };
    expect(judge(soundOnly, 10, null, BOTH_SENT)).toEqual({ level: 'bad', hint: 'bad' });
    const pictureOnly = { ...receiving({}, {}), received: { ...receiving({}, {}).received!, audio: null } };
    expect(judge(pictureOnly, 10, null, BOTH_SENT)).toEqual({ level: 'bad', hint: 'bad' });
    // Nothing sent of what did not arrive: the teacher's camera off, a muted microphone on stage.
    expect(judge(soundOnly, 10, null, { audio: true, video: false })).toEqual({
      level: 'good',
      hint: 'none',
    });
    expect(judge(pictureOnly, 10, null, { audio: false, video: true })).toEqual({
      level: 'good',
      hint: 'none',
    });
    expect(judge(nothing, 10, null, NOTHING_SENT)).toEqual({ level: 'good', hint: 'none' });
  });

  it('weighs the server’s view: a low score of what it sends the page lowers the level', () => {
    expect(judge(receiving({}, {}), 7).level).toBe('fair');
    expect(judge(receiving({}, {}), 2).level).toBe('bad');
  });

  it('judges what a page sends: a broadcast held back by its upload is at most fair, and says so', () => {
    const report: QualityReport = {
      intervalMs: 5000,
      received: null,
      sent: {
        video: { width: 1280, height: 720, fps: 30, kbps: 900, limitation: 'bandwidth' },
        lossPercent: 1,
        rttMs: 30,
        availableKbps: 900,
      },
    };
    expect(judge(report, null, 10)).toEqual({ level: 'fair', hint: 'uplink' });
    expect(judge(report, null, 2).level).toBe('bad');
  });
});
