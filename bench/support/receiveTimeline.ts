/**
 * What a classroom page receives, sampled inside the page every 100 ms through the network lab's probe
 * (`window.__netlab.stats`, so `addProbe` before the page loaded): video frames decoded so far and the decoded
 * height of the picture the page shows (`lesson-video`), audio samples received and concealed so far. Counters
 * add up per stream, so a consumer made again after a reconnect (a new SSRC, counting from 0) adds instead of
 * going back. The analysis below is pure: the longest time without a new frame, the heights seen, the first
 * frame after a moment.
 */
import type { Page } from '@playwright/test';
import { LESSON_VIDEO } from '@cloudschool/testkit/netlab';
import type { NetlabProbe } from '@cloudschool/testkit/netlab';

/** [epoch ms, video frames decoded so far, height of the shown picture, audio samples, concealed samples]. */
export type ReceiveSample = [at: number, frames: number, height: number, samples: number, concealed: number];

interface SamplerWindow {
  __netlab?: NetlabProbe;
  __receiveTimeline?: { samples: ReceiveSample[]; stop(): void };
}

/** Runs in the page (sent by `startTimeline`): samples until `__receiveTimeline.stop()`. */
function sampleInPage([selector, periodMs]: readonly [string, number]): void {
  const w = window as unknown as SamplerWindow;
  const probe = w.__netlab;
  if (!probe) throw new Error('no network lab probe in this page: addProbe() before page.goto()');
  w.__receiveTimeline?.stop();
  const samples: ReceiveSample[] = [];
  const last = new Map<string, number>();
  let frames = 0;
  let height = 0;
  let audioSamples = 0;
  let concealed = 0;
  let busy = false;
  let stopped = false;
  const add = (key: string, value: number): number => {
    const before = last.get(key) ?? 0;
    last.set(key, value);
    return value > before ? value - before : 0;
  };
  const tick = async (): Promise<void> => {
    const { inbound } = await probe.stats(selector);
    let best = 0;
    for (const s of inbound) {
      if (s.kind === 'video' && s.shown) {
        const rose = add(`v${s.ssrc}`, s.framesDecoded);
        frames += rose;
        if (rose > best) {
          best = rose;
          height = s.frameHeight;
        }
      } else if (s.kind === 'audio') {
        audioSamples += add(`a${s.ssrc}`, s.totalSamplesReceived);
        concealed += add(`c${s.ssrc}`, s.concealedSamples);
      }
    }
    samples.push([Date.now(), frames, height, audioSamples, concealed]);
  };
  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    tick()
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, periodMs);
  w.__receiveTimeline = {
    samples,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

export interface Timeline {
  /** Takes the samples so far and stops sampling. */
  finish(): Promise<ReceiveSample[]>;
}

export async function startTimeline(page: Page, periodMs = 100, selector = LESSON_VIDEO): Promise<Timeline> {
  await page.evaluate(sampleInPage, [selector, periodMs] as const);
  return {
    finish: () =>
      page.evaluate(() => {
        const t = (window as unknown as SamplerWindow).__receiveTimeline;
        t?.stop();
        return t?.samples ?? [];
      }),
  };
}

// ---------------------------------------------------------------- analysis (pure)

/** Samples in [from, to] (epoch ms), and the one just before (the baseline for the first). */
function within(samples: readonly ReceiveSample[], from: number, to: number): ReceiveSample[] {
  const i = samples.findIndex((s) => s[0] >= from);
  if (i < 0) return [];
  const out = samples.slice(Math.max(0, i - 1)).filter((s) => s[0] <= to);
  return out;
}

/**
 * The longest time in [from, to] with no new frame: between two samples where frames rose (the window's
 * edges count as such), in ms. Resolution: the sampling period.
 */
export function longestGap(samples: readonly ReceiveSample[], from: number, to: number): number {
  const w = within(samples, from, to);
  let lastRise = from;
  let longest = 0;
  for (let i = 1; i < w.length; i++) {
    if (w[i]![1] > w[i - 1]![1]) {
      longest = Math.max(longest, w[i]![0] - lastRise);
      lastRise = w[i]![0];
    }
  }
  return Math.max(longest, Math.min(to, w.at(-1)?.[0] ?? to) - lastRise);
}

/** The heights the picture had in [from, to], as shares of the samples in which frames rose. */
export function heightShares(
  samples: readonly ReceiveSample[],
  from: number,
  to: number,
): { height: number; share: number }[] {
  const w = within(samples, from, to);
  const counts = new Map<number, number>();
  let all = 0;
  for (let i = 1; i < w.length; i++) {
    if (w[i]![1] <= w[i - 1]![1]) continue;
    counts.set(w[i]![2], (counts.get(w[i]![2]) ?? 0) + 1);
    all++;
  }
  return [...counts]
    .map(([height, n]) => ({ height, share: all > 0 ? n / all : 0 }))
    .sort((a, b) => b.share - a.share);
}

/** When frames first rose at or after `at` (epoch ms), or null. */
export function firstFrameAfter(samples: readonly ReceiveSample[], at: number): number | null {
  for (let i = 1; i < samples.length; i++) {
    if (samples[i]![0] >= at && samples[i]![1] > samples[i - 1]![1]) return samples[i]![0];
  }
  return null;
}

/** When the first frame at `height` or more was decoded at or after `at` (epoch ms), or null. */
export function firstAtHeight(samples: readonly ReceiveSample[], at: number, height: number): number | null {
  for (let i = 1; i < samples.length; i++) {
    const s = samples[i]!;
    if (s[0] >= at && s[1] > samples[i - 1]![1] && s[2] >= height) return s[0];
  }
  return null;
}

/**
 * When decoding is steady again from `at` on: the first sample from which frames rose in at least half of
 * the samples of the next second; null if never.
 */
export function steadyAfter(samples: readonly ReceiveSample[], at: number, periodMs = 100): number | null {
  const per = Math.round(1000 / periodMs);
  for (let i = 1; i + per < samples.length; i++) {
    if (samples[i]![0] < at || samples[i]![1] <= samples[i - 1]![1]) continue;
    let rising = 0;
    for (let j = i; j < i + per; j++) if (samples[j]![1] > samples[j - 1]![1]) rising++;
    if (rising >= per / 2) return samples[i]![0];
  }
  return null;
}

/**
 * Over several windows [from, to] (a measurement without its outage): frames decoded per second, the longest
 * time without a new frame in any of them, and audio concealed in percent of the samples received.
 */
export function overWindows(
  samples: readonly ReceiveSample[],
  windows: readonly (readonly [from: number, to: number])[],
): { fps: number; longestGapMs: number; concealedPercent: number | null } {
  let frames = 0;
  let seconds = 0;
  let received = 0;
  let concealed = 0;
  let gap = 0;
  for (const [from, to] of windows) {
    const w = within(samples, from, to);
    if (w.length < 2) continue;
    frames += w.at(-1)![1] - w[0]![1];
    seconds += (w.at(-1)![0] - w[0]![0]) / 1000;
    received += w.at(-1)![3] - w[0]![3];
    concealed += w.at(-1)![4] - w[0]![4];
    gap = Math.max(gap, longestGap(samples, from, to));
  }
  return {
    fps: seconds > 0 ? frames / seconds : 0,
    longestGapMs: gap,
    concealedPercent: received > 0 ? (100 * concealed) / received : null,
  };
}

/** Audio concealed in [from, to], in percent of the samples received. */
export function concealedPercent(samples: readonly ReceiveSample[], from: number, to: number): number | null {
  const w = within(samples, from, to);
  if (w.length < 2) return null;
  const received = w.at(-1)![3] - w[0]![3];
  return received > 0 ? (100 * (w.at(-1)![4] - w[0]![4])) / received : null;
}
