/**
 * SSIM (Wang, Bovik, Sheikh, Simoncelli 2004) of two grayscale images of one size: the mean over 8 × 8
 * windows, every 4 pixels (as libvpx measures it), of
 *   ((2 μx μy + C1)(2 σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2)),  C1 = (0.01 · 255)², C2 = (0.03 · 255)².
 * Uniform windows, not the paper's 11 × 11 Gaussian: the figure differs by a little, the ranking does not.
 *
 * `textOnly` averages only the windows where the reference has detail (its variance above `TEXT_VARIANCE`):
 * a slide is mostly blank, and blank windows score 1 whatever happens to the text.
 *
 * Self-contained (it closes over nothing): tests and benchmarks send its source into pages, where the frames are.
 */
export interface SsimResult {
  /** Over every window. */
  ssim: number;
  /** Over the windows where the reference has detail (text); NaN if it has none. */
  textSsim: number;
  windows: number;
  textWindows: number;
}

export function ssim(
  reference: ArrayLike<number>,
  test: ArrayLike<number>,
  width: number,
  height: number,
): SsimResult {
  const WINDOW = 8;
  const STRIDE = 4;
  const C1 = (0.01 * 255) ** 2;
  const C2 = (0.03 * 255) ** 2;
  const TEXT_VARIANCE = 100;
  if (reference.length !== width * height || test.length !== width * height) {
    throw new Error(`ssim: images must both be ${width} × ${height}`);
  }
  const n = WINDOW * WINDOW;
  let sum = 0;
  let windows = 0;
  let textSum = 0;
  let textWindows = 0;
  for (let y0 = 0; y0 + WINDOW <= height; y0 += STRIDE) {
    for (let x0 = 0; x0 + WINDOW <= width; x0 += STRIDE) {
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let y = y0; y < y0 + WINDOW; y++) {
        const row = y * width;
        for (let x = x0; x < x0 + WINDOW; x++) {
          const a = reference[row + x]!;
          const b = test[row + x]!;
          sx += a;
          sy += b;
          sxx += a * a;
          syy += b * b;
          sxy += a * b;
        }
      }
      const mx = sx / n;
      const my = sy / n;
      const vx = sxx / n - mx * mx;
      const vy = syy / n - my * my;
      const cxy = sxy / n - mx * my;
      const s = ((2 * mx * my + C1) * (2 * cxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
      sum += s;
      windows++;
      if (vx > TEXT_VARIANCE) {
        textSum += s;
        textWindows++;
      }
    }
  }
  return {
    ssim: windows > 0 ? sum / windows : NaN,
    textSsim: textWindows > 0 ? textSum / textWindows : NaN,
    windows,
    textWindows,
  };
}

/** Luma (BT.601) of RGBA pixels, e.g. a canvas's getImageData().data. Self-contained like `ssim`. */
export function grayscale(rgba: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rgba.length / 4);
  for (let i = 0; i < out.length; i++) {
    out[i] = 0.299 * rgba[4 * i]! + 0.587 * rgba[4 * i + 1]! + 0.114 * rgba[4 * i + 2]!;
  }
  return out;
}
