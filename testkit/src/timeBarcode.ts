/**
 * The wall-clock time drawn into every frame of the network lab's fake camera, as a row of black and white cells
 * along the top, so a page receiving the video can read when the frame was drawn (host and classroom pages run
 * on one machine: one clock) and tell the glass-to-glass delay.
 *
 * 48 cells: start `1010`, the time in ms modulo 2^32 (32 bits, most significant first; ≈ 49 days, unwrapped
 * against the reader's clock), a CRC-8 of those 4 bytes, stop `0110` (1 = white). The row spans the frame's width
 * less a 1/80 margin each side and the top tenth of its height: 26 × 72 px cells at 1280 × 720, 6.5 × 18 px at
 * 320 × 180 (the lowest simulcast layer). The reader averages the middle of each cell and sets its threshold from
 * the start and stop cells, so blur, scaling and VP8's quantisation at low bitrates leave it readable; a cell too
 * close to the threshold, a wrong start / stop or a bad CRC rejects the frame rather than misread it.
 *
 * `timeBarcode()` is self-contained (it closes over nothing), because the lab sends its source into pages.
 */
export interface TimeBarcode {
  readonly cells: number;
  /** The band's height as a fraction of the frame's. */
  readonly bandHeight: number;
  /** The margin left and right of the cells, as a fraction of the frame's width. */
  readonly margin: number;
  /** The cells for a time (1 = white). */
  encode(timeMs: number): number[];
  /** Each cell's rectangle in a frame of that size: where to draw it. */
  cellRect(index: number, width: number, height: number): { x: number; y: number; w: number; h: number };
  /** The part of each cell a reader averages (the middle half), in a frame of that size. */
  sampleRect(index: number, width: number, height: number): { x: number; y: number; w: number; h: number };
  /** The time modulo 2^32 from each cell's mean luminance (0–255), or null when the frame does not read. */
  decode(levels: ArrayLike<number>): number | null;
  /** The full time from a decoded value, against the reader's clock (the one before or at `nowMs`). */
  unwrap(value: number, nowMs: number): number;
}

export function timeBarcode(): TimeBarcode {
  const CELLS = 48;
  const START = [1, 0, 1, 0];
  const STOP = [0, 1, 1, 0];
  const TIME_BITS = 32;
  const CRC_BITS = 8;
  const WRAP = 2 ** TIME_BITS;
  const BAND_HEIGHT = 0.1;
  const MARGIN = 1 / 80;
  /** A cell nearer the threshold than this share of the contrast is unreadable. */
  const DOUBT = 0.2;
  /** Below this difference between the white and black reference cells there is no barcode. */
  const MIN_CONTRAST = 48;

  function crc8(bytes: readonly number[]): number {
    let crc = 0;
    for (const byte of bytes) {
      crc ^= byte;
      for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
    }
    return crc;
  }

  function bytesOf(value: number): number[] {
    return [
      Math.floor(value / 2 ** 24) % 256,
      Math.floor(value / 2 ** 16) % 256,
      Math.floor(value / 2 ** 8) % 256,
      value % 256,
    ];
  }

  function bitsOf(value: number, count: number): number[] {
    const bits: number[] = [];
    for (let i = count - 1; i >= 0; i--) bits.push(Math.floor(value / 2 ** i) % 2);
    return bits;
  }

  function valueOf(bits: readonly number[]): number {
    let value = 0;
    for (const bit of bits) value = value * 2 + bit;
    return value;
  }

  function cellRect(index: number, width: number, height: number) {
    const cellW = (width * (1 - 2 * MARGIN)) / CELLS;
    return { x: width * MARGIN + index * cellW, y: 0, w: cellW, h: height * BAND_HEIGHT };
  }

  return {
    cells: CELLS,
    bandHeight: BAND_HEIGHT,
    margin: MARGIN,

    encode(timeMs) {
      const value = ((Math.floor(timeMs) % WRAP) + WRAP) % WRAP;
      return [...START, ...bitsOf(value, TIME_BITS), ...bitsOf(crc8(bytesOf(value)), CRC_BITS), ...STOP];
    },

    cellRect,

    sampleRect(index, width, height) {
      const cell = cellRect(index, width, height);
      const w = Math.max(1, cell.w / 2);
      const h = Math.max(1, cell.h * 0.4);
      return { x: cell.x + (cell.w - w) / 2, y: cell.h * 0.3, w, h };
    },

    decode(levels) {
      if (levels.length !== CELLS) return null;
      const ref = [...START, ...new Array<number>(TIME_BITS + CRC_BITS).fill(-1), ...STOP];
      let white = 0;
      let whites = 0;
      let black = 0;
      let blacks = 0;
      ref.forEach((bit, i) => {
        if (bit === 1) {
          white += levels[i]!;
          whites++;
        } else if (bit === 0) {
          black += levels[i]!;
          blacks++;
        }
      });
      white /= whites;
      black /= blacks;
      const contrast = white - black;
      if (!(contrast >= MIN_CONTRAST)) return null;
      const threshold = (white + black) / 2;
      const bits: number[] = [];
      for (let i = 0; i < CELLS; i++) {
        const level = levels[i]!;
        if (Math.abs(level - threshold) < DOUBT * contrast) return null;
        bits.push(level > threshold ? 1 : 0);
      }
      for (let i = 0; i < CELLS; i++) if (ref[i] !== -1 && bits[i] !== ref[i]) return null;
      const at = START.length;
      const value = valueOf(bits.slice(at, at + TIME_BITS));
      const crc = valueOf(bits.slice(at + TIME_BITS, at + TIME_BITS + CRC_BITS));
      return crc === crc8(bytesOf(value)) ? value : null;
    },

    unwrap(value, nowMs) {
      const now = Math.floor(nowMs);
      let behind = ((((now % WRAP) - value) % WRAP) + WRAP) % WRAP;
      // A frame stamped a moment after the reader's clock (drawn and read within a millisecond or two).
      if (behind > WRAP / 2) behind -= WRAP;
      return now - behind;
    },
  };
}
