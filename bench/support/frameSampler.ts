/**
 * What a real page receives, sampled inside the page every 100 ms, for `npm run chaos`: how many video frames
 * it has decoded, audio packets it has received and video frames it has encoded (the host's camera) so far (getStats of every RTCPeerConnection it made, summed
 * as increments per stream, so a rebuilt connection's counters starting again from 0 add instead of going back),
 * and what the page shows of its link (a classroom's `data-status`; the host's classroom count and overview
 * tiles), kept as a list of changes. The page keeps its samples until `takeSamples` reads them.
 *
 * Install with `addFrameSampler(context)` before the page loads (after `trackPeerConnections`, which it needs).
 */
import type { BrowserContext, Page } from '@playwright/test';
import { trackPeerConnections } from './pageRtcStats.ts';

/** One sample: epoch ms, video frames decoded, audio packets received and video frames encoded so far. */
export type FrameSample = [at: number, frames: number, audioPackets: number, framesEncoded: number];

/** What the page showed from `at` on (epoch ms). */
export interface ShownChange {
  at: number;
  shown: string;
}

export interface PageSamples {
  samples: FrameSample[];
  shown: ShownChange[];
}

interface SamplerWindow {
  __benchPeerConnections?: RTCPeerConnection[];
  __chaosSampler?: { take(): PageSamples };
}

/** Runs in the page, as an init script (after trackPeerConnections). */
export function installFrameSampler(periodMs: number): void {
  const w = window as unknown as SamplerWindow;
  /** mediasoup's bandwidth probe: a video stream that never decodes. */
  const PROBATOR_SSRC = 1234;
  let samples: FrameSample[] = [];
  let shown: ShownChange[] = [];
  let lastShown = '';
  let frames = 0;
  let audio = 0;
  let encoded = 0;
  const last = new Map<string, number>();
  const ids = new WeakMap<RTCPeerConnection, number>();
  let nextId = 0;
  let busy = false;

  const showing = (): string => {
    const status = document.querySelector<HTMLElement>('[data-testid="classroom-status"]');
    if (status) return `status=${status.dataset.status ?? '?'}`;
    const count = document.querySelector('[data-testid="classroom-count"]')?.textContent?.trim();
    const tiles = [...document.querySelectorAll<HTMLElement>('[data-testid="tile"]')]
      .map((t) => `${t.dataset.classroomId}:${t.dataset.connected === 'true' ? 'on' : 'off'}`)
      .sort();
    return `count=${count ?? '?'} tiles=${tiles.join(',')}`;
  };

  const tick = async (): Promise<void> => {
    for (const pc of w.__benchPeerConnections ?? []) {
      if (pc.connectionState === 'closed') continue;
      let id = ids.get(pc);
      if (id === undefined) ids.set(pc, (id = nextId++));
      const report = await pc.getStats();
      report.forEach((r: Record<string, unknown>) => {
        const video = r.kind === 'video';
        let value: number;
        if (r.type === 'outbound-rtp' && video) value = Number(r.framesEncoded ?? 0);
        else if (r.type === 'inbound-rtp' && r.ssrc !== PROBATOR_SSRC)
          value = Number((video ? r.framesDecoded : r.packetsReceived) ?? 0);
        else return;
        const key = `${id}:${String(r.id)}`;
        const before = last.get(key) ?? 0;
        if (value > before) {
          if (r.type === 'outbound-rtp') encoded += value - before;
          else if (video) frames += value - before;
          else audio += value - before;
        }
        last.set(key, value);
      });
    }
    const now = Date.now();
    samples.push([now, frames, audio, encoded]);
    const s = showing();
    if (s !== lastShown) {
      lastShown = s;
      shown.push({ at: now, shown: s });
    }
  };

  setInterval(() => {
    if (busy) return;
    busy = true;
    tick()
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, periodMs);

  w.__chaosSampler = {
    take() {
      const out = { samples, shown };
      samples = [];
      shown = [];
      return out;
    },
  };
}

export const SAMPLE_PERIOD_MS = 100;

/**
 * Peer connection tracking and the sampler, in every page of the context from its next navigation (`tracked`:
 * the context already tracks its peer connections, as the host page's does).
 */
export async function addFrameSampler(context: BrowserContext, o: { tracked?: boolean } = {}): Promise<void> {
  if (!o.tracked) await context.addInitScript(trackPeerConnections);
  await context.addInitScript({
    content: `(${installFrameSampler.toString()})(${SAMPLE_PERIOD_MS});`,
  });
}

/** Everything the page sampled since the last call (the page forgets it). */
export function takeSamples(page: Page): Promise<PageSamples> {
  return page.evaluate(() => {
    const sampler = (window as unknown as SamplerWindow).__chaosSampler;
    if (!sampler) throw new Error('no frame sampler in this page: addFrameSampler() before page.goto()');
    return sampler.take();
  });
}

/** Socket.IO events worth a line in a page's timeline, sent (→) or received (←). */
const TIMELINE_EVENTS = new Set([
  'lesson:join',
  'lesson:resume',
  'media:reset',
  'media:restartIce',
  'media:keyFrames',
  'media:createTransport',
  'session:replaced',
]);

/** A Socket.IO v4 event frame (`42<ackId>["event",…]`): its event name. */
function socketEvent(payload: string | Buffer): string | undefined {
  return /^42\d*\["([^"]+)"/.exec(String(payload))?.[1];
}

/**
 * A page's samples kept on this side, read every so often while a scenario runs; and its timeline, as
 * this side sees it: WebSocket opened and closed, the recovery requests it sent and the pushes it got
 * (TIMELINE_EVENTS), what it wrote to its console.
 */
export class PageRecord {
  readonly name: string;
  readonly page: Page;
  readonly samples: FrameSample[] = [];
  readonly shown: ShownChange[] = [];
  readonly timeline: ShownChange[] = [];

  constructor(name: string, page: Page) {
    this.name = name;
    this.page = page;
    const note = (shown: string): void => {
      this.timeline.push({ at: Date.now(), shown });
    };
    page.on('websocket', (ws) => {
      note(`WebSocket open ${new URL(ws.url()).host}`);
      ws.on('close', () => note('WebSocket closed'));
      ws.on('framesent', ({ payload }) => {
        const event = socketEvent(payload);
        if (event && TIMELINE_EVENTS.has(event)) note(`→ ${event}`);
      });
      ws.on('framereceived', ({ payload }) => {
        const event = socketEvent(payload);
        if (event && TIMELINE_EVENTS.has(event)) note(`← ${event}`);
      });
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning' || m.text().includes('cloudschool'))
        note(`console ${m.type()}: ${m.text().slice(0, 160)}`);
    });
  }

  /** Pulls what the page sampled since the last pull (nothing if the page is gone). */
  async pull(): Promise<void> {
    if (this.page.isClosed()) return;
    const got = await takeSamples(this.page).catch(() => null);
    if (!got) return;
    this.samples.push(...got.samples);
    this.shown.push(...got.shown);
  }

  /** What the page showed at `at` (the last change at or before it). */
  shownAt(at: number): string | undefined {
    let found: string | undefined;
    for (const c of this.shown) if (c.at <= at) found = c.shown;
    return found;
  }
}
