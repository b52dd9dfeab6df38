/**
 * The time barcode, alone: round trips at the camera's size and at the lowest simulcast layer's, through blur and
 * noise like a low-bitrate encoder's; damaged frames are refused rather than misread; times unwrap to the clock.
 */
import { describe, expect, it } from 'vitest';
import { timeBarcode } from '@cloudschool/testkit';

const codec = timeBarcode();
const NOW = 1_796_000_000_123; // 2026-12

/** The top of a grey frame (what the reader looks at) with the barcode drawn as the camera draws it. */
function draw(timeMs: number, width: number, height: number): Float64Array {
  const img = new Float64Array(width * Math.ceil(height * codec.bandHeight)).fill(128);
  codec.encode(timeMs).forEach((bit, i) => {
    const r = codec.cellRect(i, width, height);
    for (let y = 0; y < Math.ceil(r.h); y++)
      for (let x = Math.round(r.x); x < Math.round(r.x + r.w); x++) img[y * width + x] = bit ? 255 : 0;
  });
  return img;
}

/** Box-filter downscale by an integer factor. */
function shrink(img: Float64Array, width: number, by: number): Float64Array {
  const w = width / by;
  const h = Math.floor(img.length / width / by);
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = 0; dy < by; dy++)
        for (let dx = 0; dx < by; dx++) sum += img[(y * by + dy) * width + x * by + dx]!;
      out[y * w + x] = sum / (by * by);
    }
  return out;
}

/** A horizontal blur of `radius` px, then noise of ± `noise`, clamped: what a starved encoder leaves. */
function damage(img: Float64Array, width: number, radius: number, noise: number, seed = 7): Float64Array {
  let s = seed;
  const rand = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const out = new Float64Array(img.length);
  for (let i = 0; i < img.length; i++) {
    const x = i % width;
    let sum = 0;
    let n = 0;
    for (let d = -radius; d <= radius; d++)
      if (x + d >= 0 && x + d < width) {
        sum += img[i + d]!;
        n++;
      }
    out[i] = Math.max(0, Math.min(255, sum / n + noise * rand()));
  }
  return out;
}

/** What the page's reader does: the mean of each cell's sample rectangle. */
function read(img: Float64Array, width: number, height: number): number | null {
  const levels: number[] = [];
  for (let i = 0; i < codec.cells; i++) {
    const r = codec.sampleRect(i, width, height);
    const x0 = Math.round(r.x);
    const x1 = Math.max(x0 + 1, Math.round(r.x + r.w));
    const y0 = Math.round(r.y);
    const y1 = Math.max(y0 + 1, Math.round(r.y + r.h));
    let sum = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += img[y * width + x]!;
    levels.push(sum / ((x1 - x0) * (y1 - y0)));
  }
  const value = codec.decode(levels);
  return value === null ? null : codec.unwrap(value, NOW + 200);
}

describe('timeBarcode', () => {
  it('has 48 cells of at least 16 px at 1280 × 720', () => {
    expect(codec.encode(NOW)).toHaveLength(48);
    const cell = codec.cellRect(0, 1280, 720);
    expect(cell.w).toBeGreaterThanOrEqual(16);
    expect(cell.h).toBeGreaterThanOrEqual(16);
    const last = codec.cellRect(47, 1280, 720);
    expect(last.x + last.w).toBeLessThanOrEqual(1280);
  });

  it('reads back the time at 1280 × 720', () => {
    for (const t of [NOW, NOW + 1, NOW + 33, NOW + 4_294_967_295])
      expect(read(draw(t, 1280, 720), 1280, 720)).toBe(t > NOW + 200 ? t - 2 ** 32 : t);
  });

  it('reads the 320 × 180 layer through blur and noise', () => {
    for (let k = 0; k < 50; k++) {
      const t = NOW - k * 37;
      const small = shrink(draw(t, 1280, 720), 1280, 4);
      expect(read(damage(small, 320, 2, 40, k + 1), 320, 180)).toBe(t);
    }
  });

  it('refuses a frame without a barcode, a flipped cell or a washed-out one', () => {
    expect(read(new Float64Array(1280 * 72).fill(128), 1280, 720)).toBeNull();
    const img = draw(NOW, 1280, 720);
    const cell = codec.sampleRect(20, 1280, 720);
    const flip = (value: (old: number) => number) => {
      const copy = img.slice();
      for (let y = 0; y < 72; y++)
        for (let x = Math.floor(cell.x) - 8; x < cell.x + cell.w + 8; x++)
          copy[y * 1280 + x] = value(copy[y * 1280 + x]!);
      return copy;
    };
    expect(
      read(
        flip((v) => 255 - v),
        1280,
        720,
      ),
    ).toBeNull();
    expect(
      read(
        flip(() => 128),
        1280,
        720,
      ),
    ).toBeNull();
  });

  it('unwraps against the reader clock, a frame from the future by a little included', () => {
    const value = NOW % 2 ** 32;
    expect(codec.unwrap(value, NOW + 5_000)).toBe(NOW);
    expect(codec.unwrap(value, NOW - 2)).toBe(NOW);
  });
});
