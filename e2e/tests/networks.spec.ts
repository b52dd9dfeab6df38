/**
 * Classrooms on real school networks (the network lab, testkit/src/netlab.ts): one classroom on the `bad` link
 * (300 kbit/s, 5 % loss, 150 ms) and one on `lan` in the same lesson, the host broadcasting the lab's barcode
 * camera (720p, camera-like) in three simulcast layers. The bad classroom is sent the lowest layer (≈ 320 × 180)
 * while the lan one keeps the top layer (1280 × 720), and the bad one keeps its sound; the host sees the bad
 * classroom's level worse than the lan one's, and the bad classroom shows the tutor a hint. (The same set-up,
 * measured: `npm run bench:networks`, bench/results/networks.md.)
 *
 * Robust on a busy 2-core machine: conditions are waited for with generous timeouts, and the two classrooms
 * are compared within the run, over the same window.
 */
import { expect } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { addBarcodeCamera, addProbe, applyProfile, statsSnapshot } from '@cloudschool/testkit/netlab';
import type { InboundStream, LinkProfileName } from '@cloudschool/testkit/netlab';
import { classroomStatus as status, loggedIn, scheduleLessonNow, TEACHER, test } from './fixtures.ts';

/** The lowest and the top layer of the host's simulcast (web/src/lib/client/Publisher.ts). */
const LOWEST = { width: 320, height: 180 };
const TOP = { width: 1280, height: 720 };
/** The window both classrooms are compared over, and how often it is sampled. */
const WINDOW_MS = 10_000;
const EVERY_MS = 500;
/** How long the bad classroom may take to settle on the lowest layer with the lan one on the top layer. */
const SETTLE_TIMEOUT_MS = 180_000;
/**
 * The bad classroom's audio concealment bound over the window. At 5 % random loss Opus's in-band FEC rebuilds
 * most single losses, but the link's queue (its 300 kbit/s also carries video) makes packets late, and the
 * jitter buffer conceals what comes too late: measured 10–18 % over 30 s windows on this machine (npm run
 * bench:networks). 30 % still leaves two thirds of the speech as sent; a classroom that lost its sound
 * conceals 100 % (or receives nothing), which is what this must tell apart.
 */
const CONCEALED_MAX_PERCENT = 30;

const RANK: Record<string, number> = { good: 0, fair: 1, poor: 2, bad: 3 };

async function openClassroom(browser: Browser, url: string, profile: LinkProfileName): Promise<Page> {
  // A projector-sized window would be composited in software every frame (no GPU here) and starve the lan
  // page's own receipt times, which its bandwidth estimate reads; the layers a page asks for do not depend on it.
  const context = await browser.newContext({ viewport: { width: 640, height: 360 } });
  await addProbe(context);
  // A small camera of its own: what the classroom sends is not under test, and it saves the 2 cores.
  await addBarcodeCamera(context, { width: 320, height: 180, fps: 10, tilesPerSecond: 10, movingBlocks: 1 });
  const page = await context.newPage();
  // Before the page loads, or Chromium would not shape its WebRTC.
  await applyProfile(page, profile);
  await page.goto(url);
  return page;
}

interface Received {
  video: InboundStream | null;
  audio: InboundStream | null;
}

/** The picture the page shows and its sound (the main streams of its getStats()). */
async function received(page: Page): Promise<Received> {
  const { inbound } = await statsSnapshot(page);
  const pick = (kind: 'video' | 'audio'): InboundStream | null =>
    inbound
      .filter((s) => s.kind === kind && (kind === 'audio' || s.shown))
      .reduce<InboundStream | null>((a, b) => (!a || b.bytesReceived > a.bytesReceived ? b : a), null);
  return { video: pick('video'), audio: pick('audio') };
}

/** The host's simulcast layers as it encodes them now: size, frames encoded so far, why it is limited. */
async function sent(host: Page): Promise<string> {
  const { outbound } = await statsSnapshot(host);
  return outbound
    .filter((s) => s.kind === 'video')
    .map(
      (s) =>
        `${s.rid || '-'} ${s.frameWidth}x${s.frameHeight} ${s.framesEncoded} frames ` +
        `${s.qualityLimitationReason}`,
    )
    .join('; ');
}

const size = (s: InboundStream | null): string => (s ? `${s.frameWidth}x${s.frameHeight}` : 'none');

test('a classroom on a bad link gets the lowest layer and keeps its sound, a lan one keeps 720p; the host sees which is worse', async ({
  browser,
  request,
}) => {
  test.setTimeout(360_000);
  const lesson = await scheduleLessonNow(request, 2);
  const [lanId, badId] = lesson.classroomIds;
  const [lan, bad] = await Promise.all([
    openClassroom(browser, lesson.joinUrls[0]!, 'lan'),
    openClassroom(browser, lesson.joinUrls[1]!, 'bad'),
  ]);

  const hostContext = await loggedIn(browser, TEACHER);
  await addProbe(hostContext);
  // Moving blocks and the barcode, no random tiles of colour noise (1.2–1.4 Mbit/s at 720p): the noise is
  // what a 180p layer cannot carry at its frame rate, and a camera's 180p picture does not have it.
  // At 15 fps, half the work of encoding three layers and decoding 720p: the 2 cores also run the server and
  // three browsers, and a busy lan page reads as a congested link (below). Layers follow bitrate, not rate.
  await addBarcodeCamera(hostContext, { tilesPerSecond: 0, fps: 15 });
  const host = await hostContext.newPage();
  await host.goto(`/host/${lesson.lessonId}`);
  await host.getByTestId('start-lesson').click();
  await host.getByTestId('start-broadcast').click();
  await expect(host.getByTestId('live-indicator')).toHaveAttribute('data-live', 'true');
  for (const page of [lan, bad])
    await expect(status(page)).toHaveAttribute('data-status', 'live', { timeout: 60_000 });

  // (1) The SFU's bandwidth estimate for the bad link settles: it is sent the lowest layer.
  await expect
    .poll(async () => size((await received(bad)).video), {
      message: 'the bad classroom receives the lowest layer',
      timeout: 90_000,
      intervals: [1_000],
    })
    .toBe(`${LOWEST.width}x${LOWEST.height}`);

  /** Samples both classrooms together for `ms`: the sizes each decoded frames at, and the first and last samples. */
  const watch = async (ms: number) => {
    const first = await Promise.all([received(lan), received(bad)]);
    const seen = { lan: new Set<string>(), bad: new Set<string>() };
    const until = Date.now() + ms;
    let last = first;
    while (Date.now() < until) {
      await host.waitForTimeout(EVERY_MS);
      const now = await Promise.all([received(lan), received(bad)]);
      // A size counts when frames were decoded at it since the last sample.
      if ((now[0].video?.framesDecoded ?? 0) > (last[0].video?.framesDecoded ?? 0))
        seen.lan.add(size(now[0].video));
      if ((now[1].video?.framesDecoded ?? 0) > (last[1].video?.framesDecoded ?? 0))
        seen.bad.add(size(now[1].video));
      last = now;
    }
    return { first, last, seen };
  };
  const lowestOnly = (sizes: Set<string>): boolean =>
    [...sizes].every((s) => s === `${LOWEST.width}x${LOWEST.height}`);
  const topOnly = (sizes: Set<string>): boolean =>
    sizes.size > 0 && [...sizes].every((s) => s === `${TOP.width}x${TOP.height}`);

  // The bad link starts on the lowest layer (its estimate starts low) and its estimate may still climb once:
  // the SFU then tries the layer above, the link fails it and that layer is held out of reach (sfu's
  // LayerHold, a minute at least). "Dropped to the lowest layer" is the state after that: a whole window on
  // the lowest layer alone once the layer above was tried, or three such windows in a row if it never was.
  // The lan classroom must decode the top layer alone over that same window. Its estimate is a real one too:
  // on 2 busy cores its page's receipt times lag and its packets can drop, which reads as a congested link,
  // and in one CI run it was kept at 180p for a minute. So windows are taken until one shows both, before a
  // deadline; a lan classroom lowered because of the bad one's link would never show one.
  const settleUntil = Date.now() + SETTLE_TIMEOUT_MS;
  let tried = false;
  let clean = 0;
  let span: Awaited<ReturnType<typeof watch>>;
  for (;;) {
    expect(
      Date.now(),
      'the bad classroom settles on the lowest layer while the lan one decodes the top layer',
    ).toBeLessThan(settleUntil);
    span = await watch(WINDOW_MS);
    if (!lowestOnly(span.seen.bad)) {
      tried = true;
      clean = 0;
    } else clean++;
    const settled = tried ? clean >= 1 : clean >= 3;
    if (settled && topOnly(span.seen.lan)) break;
    process.stdout.write(
      `window: lan decoded ${[...span.seen.lan].join(', ') || 'nothing'}, ` +
        `bad ${[...span.seen.bad].join(', ') || 'nothing'}` +
        `${settled ? '' : ' (not settled)'}; host sends ${await sent(host)}\n`,
    );
  }

  // That window, sampled together: every picture the bad classroom decoded is the lowest layer and every one
  // the lan classroom decoded is the top layer; the bad one's sound keeps coming.
  const { first, last, seen } = span;
  const [, badAfter] = last;
  const [, badBefore] = first;
  const rose = (
    key: 'packetsReceived' | 'totalSamplesReceived' | 'concealedSamples' | 'framesDecoded',
    s: 'audio' | 'video',
  ) => (badAfter[s]?.[key] ?? 0) - (badBefore[s]?.[key] ?? 0);
  const concealed =
    (100 * rose('concealedSamples', 'audio')) / Math.max(1, rose('totalSamplesReceived', 'audio'));
  process.stdout.write(
    `over ${WINDOW_MS / 1000} s: lan decoded ${[...seen.lan].join(', ') || 'nothing'}, bad decoded ` +
      `${[...seen.bad].join(', ') || 'nothing'} (${rose('framesDecoded', 'video')} frames); bad audio ` +
      `${rose('packetsReceived', 'audio')} packets, ${concealed.toFixed(1)} % concealed\n`,
  );
  // Settling allows a window without frames; this one must have them.
  expect([...seen.bad], 'sizes the bad classroom decoded in the window').toEqual([
    `${LOWEST.width}x${LOWEST.height}`,
  ]);
  expect(
    rose('packetsReceived', 'audio'),
    'audio packets keep arriving at the bad classroom',
  ).toBeGreaterThan(0);
  expect(
    rose('totalSamplesReceived', 'audio'),
    'audio samples keep rising at the bad classroom',
  ).toBeGreaterThan(0);
  expect(concealed, 'audio the bad classroom concealed (%)').toBeLessThan(CONCEALED_MAX_PERCENT);

  // (4) The host sees the bad classroom worse than the lan one; the bad classroom tells its tutor why.
  const tile = (id: string) => host.locator(`[data-testid="tile"][data-classroom-id="${id}"]`);
  await expect
    .poll(
      async () => {
        const [l, b] = await Promise.all([
          tile(lanId!).getAttribute('data-quality'),
          tile(badId!).getAttribute('data-quality'),
        ]);
        return (RANK[b ?? ''] ?? -1) > (RANK[l ?? ''] ?? 99) ? 'worse' : `lan ${l}, bad ${b}`;
      },
      {
        message: "the host's tile of the bad classroom shows a worse level than the lan one's",
        timeout: 60_000,
      },
    )
    .toBe('worse');
  await expect(bad.getByTestId('quality-hint')).toHaveAttribute('data-hint', /^(lowered|weak|bad|uplink)$/, {
    timeout: 60_000,
  });
});
