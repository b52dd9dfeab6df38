/**
 * How well a page's media gets through. Every page measures its own media (getStats) over a few seconds and
 * reports it (`quality:report`); the server adds its own view (mediasoup's scores) and answers one level. The
 * host side sees every classroom's level on its tiles, a coordinator sees them in the live overview, the
 * report keeps the time each classroom spent in each level.
 */
import { z } from 'zod';

/** From best to worst. `unknown`: nothing measured yet; `reconnecting`: the page lost its connection. */
export const qualityLevels = ['good', 'fair', 'poor', 'bad'] as const;
export type MeasuredLevel = (typeof qualityLevels)[number];
export type QualityLevel = MeasuredLevel | 'unknown' | 'reconnecting';

/**
 * What the page is told to say about its link, in its own words: `lowered` (the picture was lowered to keep
 * the lesson going), `weak` (poor: sound may break up), `bad` (check the network), `uplink` (what this
 * page sends is limited by its upload).
 */
export const qualityHints = ['none', 'lowered', 'weak', 'bad', 'uplink'] as const;
export type QualityHint = (typeof qualityHints)[number];

/** How often a page reports, and the least time between two reports the server accepts. */
export const QUALITY_REPORT_MS = 5000;
export const QUALITY_REPORT_MIN_MS = 2000;

const count = z.int().min(0).max(1e9);
const percent = z.number().min(0).max(100);
const ms = z.number().min(0).max(600_000);
const kbps = z.number().min(0).max(1_000_000);
const pixels = z.int().min(0).max(8192);
const fps = z.number().min(0).max(240);

/**
 * What a page received of the main media (the host's, or an on-stage classroom's) over the interval; a kind
 * is null when no packet of it arrived (the server knows whether any was sent).
 */
const received = z.strictObject({
  video: z
    .strictObject({
      width: pixels,
      height: pixels,
      fps,
      /** Frames frozen (≥ 600 ms without a new one, Chromium's measure) and how long in all. */
      freezes: count,
      freezeMs: ms,
      lossPercent: percent,
      jitterBufferMs: ms,
      kbps,
    })
    .nullable(),
  audio: z
    .strictObject({
      lossPercent: percent,
      /** Share of played samples the decoder had to invent (loss concealment). */
      concealedPercent: percent,
      jitterMs: ms,
    })
    .nullable(),
  rttMs: ms.nullable(),
  /** What the browser estimates it could receive (the receive transport). */
  availableKbps: kbps.nullable(),
});

/** What a page sent over the interval (its camera and microphone, or the host's broadcast). */
const sent = z.strictObject({
  video: z
    .strictObject({
      width: pixels,
      height: pixels,
      fps,
      kbps,
      /** Why the browser lowered what it sends, if it did. */
      limitation: z.enum(['none', 'bandwidth', 'cpu', 'other']),
    })
    .nullable(),
  /** Loss the server reported for what this page sent (RTCP). */
  lossPercent: percent.nullable(),
  rttMs: ms.nullable(),
  availableKbps: kbps.nullable(),
});

export const qualityReport = z.strictObject({
  /** The interval the figures cover. */
  intervalMs: z.int().min(500).max(60_000),
  received: received.nullable(),
  sent: sent.nullable(),
});
export type QualityReport = z.infer<typeof qualityReport>;

export const qualitySchemas = {
  /** Every QUALITY_REPORT_MS while joined; at most one per QUALITY_REPORT_MIN_MS. */
  'quality:report': qualityReport,
} as const;

/** The answer: this page's level and what it should say. */
export interface QualityVerdict {
  level: QualityLevel;
  hint: QualityHint;
}
