/**
 * The network lab, for Playwright pages (`@cloudschool/testkit/netlab`; the main entry stays free of Playwright):
 *
 * - links: `applyProfile(page, 'rural')` shapes one page's network (its WebRTC and its WebSocket) through DevTools
 *   network emulation; `cut(page, ms)` takes it offline for a while; `flaky` does that by itself once.
 * - a measurable camera: `addBarcodeCamera(hostContext)` makes `getUserMedia` video a busy 720p canvas stamped with
 *   the wall clock as a barcode (./camera.ts, ./timeBarcode.ts).
 * - a probe: `addProbe(context)` keeps the page's peer connections and reads the barcode off its `<video>`;
 *   `startMeasuring(page)` … `finish()` gives the glass-to-glass delay (p50 / p95) and receive metrics (resolution,
 *   fps, freezes, loss, jitter buffer, audio concealment) over the interval (./mediaMetrics.ts); `iceRoutes(page)`
 *   tells which path each peer connection took (host, or relayed through TURN).
 *
 * Add the scripts and apply a profile (`lan` at least) before `page.goto`: init scripts apply to documents loaded
 * after them, and Chromium shapes a page's WebRTC sockets only if the page was emulated when they were made (after
 * that, every change applies to them: a cut, another profile).
 */
import type { BrowserContext, CDPSession, Page } from '@playwright/test';
import { BARCODE_CAMERA_DEFAULTS, installBarcodeCamera } from './camera.ts';
import type { BarcodeCameraOptions } from './camera.ts';
import { LINK_PROFILES, networkConditions, OFFLINE } from './linkProfiles.ts';
import type { LinkProfile, LinkProfileName } from './linkProfiles.ts';
import { delaySummary, receiveMetrics, sendMetrics } from './mediaMetrics.ts';
import type {
  DelaySample,
  DelaySummary,
  FrameRead,
  ReceiveMetrics,
  SendMetrics,
  StatsSnapshot,
} from './mediaMetrics.ts';
import { installNetlabProbe, LESSON_VIDEO } from './pageProbe.ts';
import type { IceRoute, NetlabProbe } from './pageProbe.ts';
import { timeBarcode } from './timeBarcode.ts';

export { LESSON_VIDEO } from './pageProbe.ts';

// ---- links

interface LinkState {
  cdp: CDPSession;
  /** A profile was applied at least once (a page never shaped cannot be cut). */
  shaped: boolean;
  profile: LinkProfile;
  /** Bumped by every applyProfile: a pending outage or the end of a cut belongs to the profile it started under. */
  generation: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const links = new WeakMap<Page, Promise<LinkState>>();

function linkState(page: Page): Promise<LinkState> {
  let state = links.get(page);
  if (!state) {
    state = (async () => {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      return { cdp, shaped: false, profile: LINK_PROFILES.lan, generation: 0, timer: undefined };
    })();
    links.set(page, state);
  }
  return state;
}

export interface AppliedProfile {
  profile: LinkProfile;
  /** When the profile's outage starts and ends (epoch ms), if it has one. */
  outage: { startsAt: number; endsAt: number } | null;
}

/**
 * Shapes one page's network like the profile (replacing any profile before, and cancelling its pending outage).
 * Apply before `page.goto` (see above). A `flaky` page goes offline on its own `outage.afterMs` later, for
 * `outage.durationMs`.
 */
export async function applyProfile(
  page: Page,
  profile: LinkProfileName | LinkProfile,
): Promise<AppliedProfile> {
  const p = typeof profile === 'string' ? LINK_PROFILES[profile] : profile;
  const state = await linkState(page);
  clearTimeout(state.timer);
  state.timer = undefined;
  const generation = ++state.generation;
  state.profile = p;
  state.shaped = true;
  await state.cdp.send('Network.emulateNetworkConditions', networkConditions(p.link));
  if (!p.outage) return { profile: p, outage: null };
  const { afterMs, durationMs } = p.outage;
  const startsAt = Date.now() + afterMs;
  state.timer = setTimeout(() => {
    state.timer = undefined;
    // The page may be gone by then.
    if (state.generation === generation) cut(page, durationMs).catch(() => undefined);
  }, afterMs);
  return { profile: p, outage: { startsAt, endsAt: startsAt + durationMs } };
}

/** The profile last applied to the page (`lan` if none). */
export async function currentProfile(page: Page): Promise<LinkProfile> {
  return (await linkState(page)).profile;
}

/**
 * Takes the page offline for `ms` (packets dropped, the WebSocket too), then gives it back its profile (unless
 * another was applied meanwhile). Resolves when the link is back. The page needs a profile applied before it
 * loaded (`lan` will do), or its WebRTC would not notice.
 */
export async function cut(page: Page, ms: number): Promise<void> {
  const state = await linkState(page);
  if (!state.shaped) throw new Error('cut() needs applyProfile() (lan at least) before the page loaded');
  const generation = state.generation;
  await state.cdp.send('Network.emulateNetworkConditions', OFFLINE);
  await new Promise((resolve) => setTimeout(resolve, ms));
  if (state.generation === generation)
    await state.cdp.send('Network.emulateNetworkConditions', networkConditions(state.profile.link));
}

// ---- camera and probe

type ScriptTarget = Page | BrowserContext;

/**
 * The barcode camera for the pages of a context (the host's), from their next navigation: `getUserMedia` video
 * becomes the lab's canvas (1280 × 720, 30 fps unless told), audio stays the browser's fake microphone.
 */
export async function addBarcodeCamera(
  target: ScriptTarget,
  options: Partial<BarcodeCameraOptions> = {},
): Promise<void> {
  const o: BarcodeCameraOptions = { ...BARCODE_CAMERA_DEFAULTS, ...options };
  await target.addInitScript({
    content: `(${installBarcodeCamera.toString()})(${JSON.stringify(o)}, (${timeBarcode.toString()})());`,
  });
}

/** The probe (`window.__netlab`) in the pages of a context, from their next navigation. */
export async function addProbe(target: ScriptTarget): Promise<void> {
  await target.addInitScript({
    content: `(${installNetlabProbe.toString()})((${timeBarcode.toString()})());`,
  });
}

/** The page's probe; throws in the page when `addProbe` was not called before it loaded. */
type Netlab = { __netlab?: NetlabProbe };
const NO_PROBE = 'no network lab probe in this page: addProbe() before page.goto()';

/** Reads the barcode of the frame the page's video shows now. */
export function readFrame(page: Page, selector: string = LESSON_VIDEO): Promise<FrameRead> {
  return page.evaluate(
    ([s, missing]) => {
      const p = (window as Netlab).__netlab;
      if (!p) throw new Error(missing);
      return p.readFrame(s);
    },
    [selector, NO_PROBE] as const,
  );
}

/** Waits until the page's video shows a readable barcode; returns that read. */
export async function waitForBarcode(
  page: Page,
  { selector = LESSON_VIDEO, timeoutMs = 30_000 }: { selector?: string; timeoutMs?: number } = {},
): Promise<DelaySample> {
  const until = Date.now() + timeoutMs;
  let last: FrameRead | null = null;
  while (Date.now() < until) {
    last = await readFrame(page, selector);
    if (last.ok) {
      const { ok: _ok, ...sample } = last;
      return sample;
    }
    await page.waitForTimeout(200);
  }
  throw new Error(
    `no readable barcode in ${selector} within ${timeoutMs} ms (last: ${JSON.stringify(last)})`,
  );
}

/** The page's getStats() now (inbound streams of `selector`'s video marked `shown`). */
export function statsSnapshot(page: Page, selector: string = LESSON_VIDEO): Promise<StatsSnapshot> {
  return page.evaluate(
    ([s, missing]) => {
      const p = (window as Netlab).__netlab;
      if (!p) throw new Error(missing);
      return p.stats(s);
    },
    [selector, NO_PROBE] as const,
  );
}

/**
 * The path each of the page's open peer connections takes now (its selected candidate pair): a `relay` local
 * candidate means its media goes through a TURN server (the candidate's `url`, reached over `relayProtocol`).
 */
export function iceRoutes(page: Page): Promise<IceRoute[]> {
  return page.evaluate((missing) => {
    const p = (window as Netlab).__netlab;
    if (!p) throw new Error(missing);
    return p.routes();
  }, NO_PROBE);
}

export interface Measurement {
  delay: DelaySummary;
  /** Every barcode read, in order. */
  samples: DelaySample[];
  receive: ReceiveMetrics;
  /** What the page itself sent (the host's broadcast; a classroom's own camera). */
  send: SendMetrics;
}

export interface Measuring {
  /** Stops the barcode reads and takes the second stats snapshot. */
  finish(): Promise<Measurement>;
}

/**
 * Starts measuring a page: reads its video's barcode `rateHz` times a second inside the page (the age of the
 * picture on screen: it includes freezes, and up to a frame interval of display) and takes a first stats snapshot.
 * Several pages can be measured over the same interval.
 */
export async function startMeasuring(
  page: Page,
  { selector = LESSON_VIDEO, rateHz = 10 }: { selector?: string; rateHz?: number } = {},
): Promise<Measuring> {
  const before = await statsSnapshot(page, selector);
  await page.evaluate(
    ([s, hz, missing]) => {
      const p = (window as Netlab).__netlab;
      if (!p) throw new Error(missing);
      p.startSampling(s, hz);
    },
    [selector, rateHz, NO_PROBE] as const,
  );
  return {
    async finish() {
      const record = await page.evaluate((missing) => {
        const p = (window as Netlab).__netlab;
        if (!p) throw new Error(missing);
        return p.stopSampling();
      }, NO_PROBE);
      const after = await statsSnapshot(page, selector);
      return {
        delay: delaySummary(record),
        samples: record.samples,
        receive: receiveMetrics(before, after),
        send: sendMetrics(before, after),
      };
    },
  };
}

/** `startMeasuring`, `durationMs`, `finish`. */
export async function measure(
  page: Page,
  durationMs: number,
  options: { selector?: string; rateHz?: number } = {},
): Promise<Measurement> {
  const measuring = await startMeasuring(page, options);
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  return measuring.finish();
}

export * from './linkProfiles.ts';
export * from './mediaMetrics.ts';
export { BARCODE_CAMERA_DEFAULTS } from './camera.ts';
export type { BarcodeCameraOptions } from './camera.ts';
export type { IceCandidateStats, IceRoute, NetlabProbe } from './pageProbe.ts';
