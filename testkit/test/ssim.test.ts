import { describe, expect, it } from 'vitest';
import { grayscale, ssim } from '../src/ssim.ts';

const W = 96;
const H = 64;

/** Text-like: black strokes on white in the upper half (the lower half blank), from a seeded generator. */
function textish(seed = 7): Float32Array {
  let s = seed;
  const next = (): number => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const img = new Float32Array(W * H).fill(255);
  for (let line = 4; line + 10 < H / 2; line += 14) {
    for (let x = 2; x < W - 2; x++) {
      for (let y = line; y < line + 10; y++) if (next() < 0.35) img[y * W + x] = 0;
    }
  }
  return img;
}

function shifted(img: Float32Array, dx: number): Float32Array {
  const out = new Float32Array(W * H).fill(255);
  for (let y = 0; y < H; y++) for (let x = 0; x < W - dx; x++) out[y * W + x + dx] = img[y * W + x]!;
  return out;
}

function blurred(img: Float32Array): Float32Array {
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let sum = 0;
      let n = 0;
      for (let j = -1; j <= 1; j++) {
        for (let i = -1; i <= 1; i++) {
          const xx = x + i;
          const yy = y + j;
          if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
          sum += img[yy * W + xx]!;
          n++;
        }
      }
      out[y * W + x] = sum / n;
    }
  }
  return out;
}

describe('ssim', () => {
  it('is 1 for identical images, text windows included', () => {
    const img = textish();
    const r = ssim(img, img, W, H);
    expect(r.ssim).toBeCloseTo(1, 10);
    expect(r.textSsim).toBeCloseTo(1, 10);
    expect(r.textWindows).toBeGreaterThan(0);
    expect(r.windows).toBe(((W - 8) / 4 + 1) * ((H - 8) / 4 + 1));
  });

  it('scores a shifted or blurred copy lower, and the text windows lower still', () => {
    const img = textish();
    for (const other of [shifted(img, 2), blurred(img)]) {
      const r = ssim(img, other, W, H);
      expect(r.ssim).toBeLessThan(0.9);
      // The blank half scores 1 either way: the text windows tell more.
      expect(r.textSsim).toBeLessThan(r.ssim);
    }
    // Blurring twice is worse than once.
    expect(ssim(img, blurred(blurred(img)), W, H).ssim).toBeLessThan(ssim(img, blurred(img), W, H).ssim);
  });

  it('refuses images of another size', () => {
    expect(() => ssim(new Float32Array(10), new Float32Array(10), W, H)).toThrow(/96 × 64/);
  });

  it('turns RGBA into luma', () => {
    expect([...grayscale([255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255])].map(Math.round)).toEqual([
      255, 0, 76,
    ]);
  });
});
