/**
 * The test slide a host "shares" in e2e tests and `npm run bench:screen-share`, and how a classroom page
 * measures what it shows of it.
 *
 * - `installFakeDisplay` (an init script for the host's context) replaces `getDisplayMedia` with a
 *   1920 × 1080 canvas of the slide (`drawTestSlide`: a title and lines of 14 px Chinese and Latin text,
 *   Noto CJK), redrawn unchanged every frame like a screen that is being captured; the canvas stays at
 *   `window.__testSlide` so a test can take the exact source (`slidePng`).
 * - `installScreenMeter` (an init script for a classroom's context) puts `window.__measureScreen(png)` in the
 *   page: it draws the classroom's decoded screen frame (`[data-testid="screen-video"]`) and the source to
 *   canvases of the source's size and returns SSIM (`ssim.ts`) of their luma.
 *
 * The functions sent into pages are self-contained (they close over nothing), like `timeBarcode()`.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { grayscale, ssim } from './ssim.ts';
import type { SsimResult } from './ssim.ts';

export const SLIDE = { width: 1920, height: 1080, fps: 15 } as const;

/** What a classroom shows of the slide. */
export interface ScreenMeasure extends SsimResult {
  /** The decoded frame's size, as the <video> has it. */
  videoWidth: number;
  videoHeight: number;
}

/** Draws the slide: deterministic, so every redraw is the same picture. */
export function drawTestSlide(ctx: CanvasRenderingContext2D, width: number, height: number): void {
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#1a1a1a';
  ctx.textBaseline = 'top';
  ctx.font = 'bold 40px "Noto Sans CJK SC", sans-serif';
  ctx.fillText('第三课  分数的加减法 · Lesson 3: Adding and Subtracting Fractions', 60, 40);
  ctx.fillRect(60, 100, width - 120, 3);
  const chinese = [
    '异分母分数相加减，先通分，再按照同分母分数加减法的法则进行计算。',
    '通分时，一般用两个分母的最小公倍数作公分母，例如 1/4 + 1/6 = 3/12 + 2/12 = 5/12。',
    '计算结果能约分的要约成最简分数；结果是假分数的，可以化成带分数。',
    '例题：小明上午读了全书的 2/5，下午读了全书的 1/3，他一天一共读了全书的几分之几？',
    '练习：3/8 + 1/6 = ？  5/6 − 3/4 = ？  2/3 + 1/4 − 1/2 = ？  请写出计算过程。',
  ];
  const latin = [
    'To add fractions with different denominators, first rewrite them over a common denominator.',
    'The least common multiple keeps numbers small: 1/4 + 1/6 = 3/12 + 2/12 = 5/12 (not 10/24).',
    'Reduce the result to lowest terms; an improper fraction may be written as a mixed number.',
    'Example: Ming read 2/5 of the book in the morning and 1/3 in the afternoon. How much in all?',
    'Practice: 3/8 + 1/6 = ?  5/6 - 3/4 = ?  2/3 + 1/4 - 1/2 = ?  Show every step. 0123456789',
  ];
  ctx.font = '14px "Noto Sans CJK SC", sans-serif';
  const columnWidth = (width - 180) / 2;
  let line = 0;
  for (let y = 130; y + 14 < height - 40; y += 22) {
    for (let column = 0; column < 2; column++) {
      const source = (line + column) % 2 === 0 ? chinese : latin;
      const text = `${line + 1}. ${source[(line + column * 3) % source.length]!}`;
      ctx.fillText(text, 60 + column * (columnWidth + 60), y, columnWidth);
    }
    line++;
  }
}

/** Init script: `getDisplayMedia` gives the slide, redrawn at `fps`; the canvas is `window.__testSlide`. */
export function installFakeDisplay(
  draw: (ctx: CanvasRenderingContext2D, width: number, height: number) => void,
  o: { width: number; height: number; fps: number },
): void {
  const canvas = document.createElement('canvas');
  canvas.width = o.width;
  canvas.height = o.height;
  const ctx = canvas.getContext('2d')!;
  (window as unknown as { __testSlide: HTMLCanvasElement }).__testSlide = canvas;
  navigator.mediaDevices.getDisplayMedia = async () => {
    // Fonts load on first use: draw once they are there, then every frame (a captured screen sends frames).
    await document.fonts.load('14px "Noto Sans CJK SC"', '分数');
    draw(ctx, o.width, o.height);
    const stream = canvas.captureStream(o.fps);
    const timer = setInterval(() => draw(ctx, o.width, o.height), 1000 / o.fps);
    const [track] = stream.getVideoTracks();
    track?.addEventListener('ended', () => clearInterval(timer));
    return stream;
  };
}

export async function addFakeDisplay(context: BrowserContext): Promise<void> {
  await context.addInitScript({
    content: `(${installFakeDisplay.toString()})(${drawTestSlide.toString()}, ${JSON.stringify(SLIDE)});`,
  });
}

/** The exact source slide, as a PNG data URL, from the host page. */
export function slidePng(host: Page): Promise<string> {
  return host.evaluate(() =>
    (window as unknown as { __testSlide: HTMLCanvasElement }).__testSlide.toDataURL('image/png'),
  );
}

/** Init script: `window.__measureScreen(png)` compares the decoded screen frame with the source. */
function installScreenMeter(
  measure: typeof ssim,
  gray: typeof grayscale,
  o: { width: number; height: number },
): void {
  const pixels = (source: CanvasImageSource): Float32Array => {
    const canvas = document.createElement('canvas');
    canvas.width = o.width;
    canvas.height = o.height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(source, 0, 0, o.width, o.height);
    return gray(ctx.getImageData(0, 0, o.width, o.height).data);
  };
  (window as unknown as { __measureScreen: (png: string) => Promise<unknown> }).__measureScreen = async (
    png: string,
  ) => {
    const video = document.querySelector<HTMLVideoElement>('[data-testid="screen-video"]');
    if (!video || video.videoWidth === 0) return null;
    const image = new Image();
    image.src = png;
    await image.decode();
    // The frame first: it is what the projector shows now.
    const shown = pixels(video);
    return {
      ...measure(pixels(image), shown, o.width, o.height),
      videoWidth: video.videoWidth,
      videoHeight: video.videoHeight,
    };
  };
}

export async function addScreenMeter(context: BrowserContext): Promise<void> {
  const size = { width: SLIDE.width, height: SLIDE.height };
  await context.addInitScript({
    content: `(${installScreenMeter.toString()})(${ssim.toString()}, ${grayscale.toString()}, ${JSON.stringify(size)});`,
  });
}

/** SSIM of what the classroom shows against the source slide; null while it shows no screen. */
export function measureScreen(classroom: Page, png: string): Promise<ScreenMeasure | null> {
  return classroom.evaluate(
    (source) =>
      (
        window as unknown as { __measureScreen: (png: string) => Promise<ScreenMeasure | null> }
      ).__measureScreen(source),
    png,
  );
}

/** getStats() of the classroom's screen consumer (the page's `window.__cloudschool.screenStats()`). */
export interface ScreenStats {
  framesDecoded: number;
  packetsReceived: number;
  frameWidth: number;
  frameHeight: number;
  framesPerSecond: number;
}

export function screenStats(page: Page): Promise<ScreenStats | null> {
  return page.evaluate(() => {
    const hook = (window as { __cloudschool?: { screenStats(): Promise<ScreenStats | null> } }).__cloudschool;
    return hook ? hook.screenStats() : null;
  });
}
