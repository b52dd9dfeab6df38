/**
 * A few real classroom pages (Chromium, /classroom/<lessonId>?t=<token>, as a tutor opens the join link)
 * in the same lesson as the simulated classrooms: they do the real DTLS/ICE/decoding path and tell
 * whether a real viewer still gets smooth video under the load. The first one also tells which
 * rtpCapabilities Chromium sends with `media:consume`, which the simulated classrooms then use verbatim.
 */
import type { Browser, Page } from '@playwright/test';
import type { types as ms } from 'mediasoup';
import { inboundSample, trackPeerConnections } from './pageRtcStats.ts';
import type { InboundSample } from './pageRtcStats.ts';

export interface CanaryClassroom {
  page: Page;
  inbound(): Promise<InboundSample>;
}

/** A Socket.IO v4 event with an ack, as sent on the websocket: `42<ackId>["event",payload]`. */
function consumeRequest(frame: string | Buffer): ms.RtpCapabilities | undefined {
  const match = /^42\d*(\[.*)$/s.exec(String(frame));
  if (!match) return undefined;
  const [event, payload] = JSON.parse(match[1]!) as [string, { rtpCapabilities?: ms.RtpCapabilities }];
  return event === 'media:consume' ? payload.rtpCapabilities : undefined;
}

export async function openCanaryClassrooms(
  browser: Browser,
  joinUrls: string[],
): Promise<{ canaries: CanaryClassroom[]; chromiumRtpCapabilities: ms.RtpCapabilities }> {
  let resolveCaps: (caps: ms.RtpCapabilities) => void = () => {};
  const caps = new Promise<ms.RtpCapabilities>((resolve) => (resolveCaps = resolve));
  const canaries: CanaryClassroom[] = [];
  for (const url of joinUrls) {
    const context = await browser.newContext();
    await context.addInitScript(trackPeerConnections);
    const page = await context.newPage();
    page.on('websocket', (ws) =>
      ws.on('framesent', ({ payload }) => {
        const found = consumeRequest(payload);
        if (found) resolveCaps(found);
      }),
    );
    await page.goto(url);
    canaries.push({ page, inbound: () => inboundSample(page) });
  }
  let timer: NodeJS.Timeout | undefined;
  const chromiumRtpCapabilities = await Promise.race([
    caps,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no canary page consumed the host within 60 s')), 60_000);
    }),
  ]).finally(() => clearTimeout(timer));
  // Every canary decodes frames before the load starts.
  for (const canary of canaries) {
    const deadline = Date.now() + 60_000;
    while ((await canary.inbound()).framesDecoded < 10) {
      if (Date.now() > deadline) throw new Error(`canary ${canary.page.url()} decodes no video`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return { canaries, chromiumRtpCapabilities };
}
