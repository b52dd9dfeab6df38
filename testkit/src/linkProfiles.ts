/**
 * Named network links for the network lab: what a classroom's line looks like, as numbers. Applied to one browser
 * page through DevTools network emulation (`Network.emulateNetworkConditions`, see `@cloudschool/testkit/netlab`),
 * which in Chromium reaches that page's WebRTC and its WebSocket, and nothing else.
 *
 * The emulated link queues without limit: more media than it carries waits (seconds: the host's single 1.5 Mbit/s
 * layer on `rural` arrived 4–11 s late) on top of the loss. `packetQueueLength` (5 or 40 packets) changed nothing
 * for WebRTC in Chromium 156, so profiles do not set it.
 */

/** One shaped link, the same in both directions. */
export interface Link {
  /** Throughput in kbit/s (1000 bit/s). */
  kbps: number;
  /** Added one-way delay in ms (Chromium applies it to each packet: 500 → ≈ +650 ms glass-to-glass). */
  latencyMs: number;
  /** Random packet loss in percent (3 → ≈ 2.8 % seen by getStats). */
  lossPercent: number;
}

export type LinkProfileName = 'lan' | 'county' | 'rural' | 'bad' | 'flaky';

export interface LinkProfile {
  name: LinkProfileName | string;
  /** null: a clean 1 Gbit/s link (PASS_THROUGH). */
  link: Link | null;
  /** A scheduled outage (offline), counted from the moment the profile is applied. */
  outage?: { afterMs: number; durationMs: number };
}

/** The outage of `flaky` starts this long after it is applied unless told otherwise. */
export const FLAKY_OUTAGE_AFTER_MS = 5_000;
export const FLAKY_OUTAGE_MS = 10_000;

export const LINK_PROFILES: Readonly<Record<LinkProfileName, LinkProfile>> = {
  lan: { name: 'lan', link: null },
  county: { name: 'county', link: { kbps: 2_000, latencyMs: 30, lossPercent: 1 } },
  rural: { name: 'rural', link: { kbps: 600, latencyMs: 80, lossPercent: 3 } },
  bad: { name: 'bad', link: { kbps: 300, latencyMs: 150, lossPercent: 5 } },
  flaky: {
    name: 'flaky',
    link: null,
    outage: { afterMs: FLAKY_OUTAGE_AFTER_MS, durationMs: FLAKY_OUTAGE_MS },
  },
};

export function isLinkProfileName(name: string): name is LinkProfileName {
  return Object.hasOwn(LINK_PROFILES, name);
}

/**
 * A named profile, optionally with its outage moved (`flaky`, or any profile given an outage) or its link changed:
 * `linkProfile('flaky', { outageAfterMs: 20_000 })`, `linkProfile('rural', { link: { latencyMs: 300 } })`.
 */
export function linkProfile(
  name: LinkProfileName,
  change: { outageAfterMs?: number; outageMs?: number; link?: Partial<Link> } = {},
): LinkProfile {
  const base = LINK_PROFILES[name];
  const out: LinkProfile = { ...base };
  if (change.link) {
    if (!base.link) throw new RangeError(`profile ${name} has no link to change`);
    out.link = { ...base.link, ...change.link };
  }
  if (change.outageAfterMs !== undefined || change.outageMs !== undefined) {
    out.outage = {
      afterMs: change.outageAfterMs ?? base.outage?.afterMs ?? FLAKY_OUTAGE_AFTER_MS,
      durationMs: change.outageMs ?? base.outage?.durationMs ?? FLAKY_OUTAGE_MS,
    };
  }
  return out;
}

/** `Network.emulateNetworkConditions` parameters (throughputs in BYTES/s). */
export interface NetworkConditions {
  offline: boolean;
  latency: number;
  downloadThroughput: number;
  uploadThroughput: number;
  packetLoss?: number;
  packetQueueLength?: number;
}

/**
 * `lan`: a 1 Gbit/s link with no delay and no loss. Not "no emulation": Chromium throttles a page's WebRTC sockets
 * only if the page was throttled when they were made (then later changes apply to them: a cut, another profile).
 * Measured: a page opened with emulation off and cut later kept receiving; opened on this, it stopped.
 */
export const PASS_THROUGH: NetworkConditions = {
  offline: false,
  latency: 0,
  downloadThroughput: 125_000_000,
  uploadThroughput: 125_000_000,
};

/** Dropped, not queued: after a cut the receiver counts every packet of it lost. */
export const OFFLINE: NetworkConditions = { ...PASS_THROUGH, offline: true };

/** The DevTools parameters for a link (null: `lan`). */
export function networkConditions(link: Link | null): NetworkConditions {
  if (!link) return PASS_THROUGH;
  const bytesPerSecond = (link.kbps * 1000) / 8;
  return {
    offline: false,
    latency: link.latencyMs,
    downloadThroughput: bytesPerSecond,
    uploadThroughput: bytesPerSecond,
    packetLoss: link.lossPercent,
  };
}
