import { describe, expect, it } from 'vitest';
import { judgeReadiness, readinessChecks, readinessResults } from '@cloudschool/protocol';
import type { ReadinessFailure, ReadinessResults } from '@cloudschool/protocol';
import { translate } from '#lib/i18n/index.ts';
import {
  BLACK_LUMA,
  deviceResult,
  judgeFrames,
  judgeMicrophone,
  judgeNetwork,
  readinessFixKey,
  readinessLineKey,
  readinessOverview,
  rms,
  SILENT_RMS,
  SLOW_RTT_MS,
  toneHeard,
  TONE_HEARD_DB,
  TONE_MIN_DB,
} from './readiness.ts';

/** A frame of `pixels` pixels, each grey level from `grey(i)`. */
function frame(pixels: number, grey: (i: number) => number): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(pixels * 4);
  for (let i = 0; i < pixels; i++) rgba.set([grey(i), grey(i), grey(i), 255], i * 4);
  return rgba;
}

describe('judgeFrames', () => {
  it('sees a moving picture', () => {
    const frames = [0, 1, 2].map((t) => frame(64, (i) => (i * 4 + t * 40) % 256));
    expect(judgeFrames(frames)).toBe('ok');
  });

  it('calls frames under the black floor black, even when they flicker a little', () => {
    const frames = [0, 1, 2].map((t) => frame(64, (i) => (i + t) % (BLACK_LUMA - 2)));
    expect(judgeFrames(frames)).toBe('black');
    expect(judgeFrames([])).toBe('black');
  });

  it('calls one picture repeated frozen', () => {
    const still = frame(64, (i) => (i * 4) % 256);
    expect(judgeFrames([still, still.slice(), still.slice()])).toBe('frozen');
  });
});

describe('judgeMicrophone', () => {
  it('is muted whatever the level, silent under the floor in every window, ok once above', () => {
    expect(judgeMicrophone(true, [0.5])).toBe('muted');
    expect(judgeMicrophone(false, [0, SILENT_RMS / 2])).toBe('silent');
    expect(judgeMicrophone(false, [])).toBe('silent');
    expect(judgeMicrophone(false, [0, SILENT_RMS])).toBe('ok');
  });

  it('measures a window by its RMS', () => {
    expect(rms([0.5, -0.5, 0.5, -0.5])).toBeCloseTo(0.5);
    expect(rms([])).toBe(0);
  });
});

describe('toneHeard', () => {
  it('hears a tone that stands out by the margin, by the medians', () => {
    expect(toneHeard([-90, -88, -20], [-90 + TONE_HEARD_DB, -60, -50])).toBe(true);
    // One loud window during the tone (a shout) does not make it heard.
    expect(toneHeard([-90, -88, -89], [-89, -88, -10])).toBe(false);
    expect(toneHeard([], [])).toBe(false);
  });

  it('does not take a faint leak after digital silence for the tone (Chromium’s fake microphone)', () => {
    const silence = [-Infinity, -Infinity, -Infinity];
    expect(toneHeard(silence, [-87, -89, -86])).toBe(false);
    expect(toneHeard(silence, [TONE_MIN_DB, TONE_MIN_DB, -Infinity])).toBe(true);
  });
});

describe('judgeNetwork', () => {
  it('is slow from the round trip or the browser’s estimate', () => {
    expect(judgeNetwork(40, '4g')).toBe('ok');
    expect(judgeNetwork(null)).toBe('ok');
    expect(judgeNetwork(SLOW_RTT_MS, '4g')).toBe('slow');
    expect(judgeNetwork(40, '2g')).toBe('slow');
  });
});

describe('deviceResult', () => {
  it('maps why a device gave no track', () => {
    expect(deviceResult('not-found')).toBe('not_found');
    expect(deviceResult('insecure')).toBe('denied');
    expect(deviceResult('busy')).toBe('busy');
    expect(deviceResult('bad-device')).toBe('error');
  });
});

/** Every failure a report can carry. */
const allFailures: ReadinessFailure[] = readinessChecks.flatMap((check) =>
  readinessResults[check]
    .filter((result) => result !== 'ok' && result !== 'pending')
    .map((reason) => ({ check, reason }) as ReadinessFailure),
);

describe('the tutor’s words', () => {
  it('has a Chinese fix (and an English one) for every failure', () => {
    expect(allFailures.length).toBeGreaterThan(15);
    for (const failure of allFailures) {
      const key = readinessFixKey(failure);
      const zh = translate('zh-CN', key);
      expect(zh, key).toMatch(/[\u4e00-\u9fff]/);
      expect(zh, key).toContain('：');
      expect(translate('en', key), key).not.toBe(key);
    }
  });

  it('turns a judged report into what the screen says, check by check', () => {
    const results: ReadinessResults = {
      camera: 'not_found',
      microphone: 'pending',
      speaker: 'not_heard',
      network: 'ok',
      sound: 'ok',
    };
    const judged = judgeReadiness(results);
    expect(judged.state).toBe('not_ready');
    expect(judged.failures.map((f) => translate('zh-CN', readinessFixKey(f)))).toEqual([
      '未找到摄像头：请检查摄像头连接，或在浏览器地址栏允许使用摄像头',
    ]);
    expect(judged.warnings.map((f) => translate('zh-CN', readinessFixKey(f)))).toEqual([
      '未检测到扬声器声音：请打开音箱电源、调高音量（用耳机时可忽略）',
    ]);
    expect(translate('zh-CN', readinessLineKey('microphone', results.microphone))).toBe('检查中…');
    expect(translate('zh-CN', readinessLineKey('network', results.network))).toBe('正常');
  });
});

describe('readinessOverview', () => {
  it('puts what needs someone first and counts each standing', () => {
    const judged = (results: Partial<ReadinessResults>) =>
      judgeReadiness({
        camera: 'ok',
        microphone: 'ok',
        speaker: 'ok',
        network: 'ok',
        sound: 'ok',
        ...results,
      });
    const tiles = [
      { name: '3班', readiness: judged({}) },
      { name: '2班', readiness: null },
      { name: '5班', readiness: judged({ camera: 'black' }) },
      { name: '1班', readiness: judged({ sound: 'pending' }) },
      { name: '4班', readiness: judged({ microphone: 'muted' }) },
    ];
    const { tiles: sorted, counts } = readinessOverview(tiles);
    expect(sorted.map((t) => t.name)).toEqual(['4班', '5班', '1班', '2班', '3班']);
    expect(counts).toEqual({ not_ready: 2, checking: 1, absent: 1, ready: 1 });
    expect(translate('zh-CN', 'readiness.count', counts)).toBe('已就绪 1 · 未就绪 2 · 自检中 1 · 未连接 1');
  });

  it('says a microphone left unmeasured waits for sound once the run is over', () => {
    expect(translate('zh-CN', readinessLineKey('microphone', 'pending', false))).toBe('开启声音后再检查');
  });
});
