/**
 * The network lab's camera: a page script that answers `getUserMedia` video with a canvas capture stream a
 * receiving page can measure, in place of Chromium's fake device (a simple moving pattern that encodes to a few
 * hundred kbit/s, far from a classroom camera).
 *
 * Each frame redraws some random textured tiles (what makes the encoder work like a camera's), slides a few blocks
 * across (motion) and draws `Date.now()` as the time barcode (./timeBarcode.ts) along the top. Audio still comes
 * from the browser's own (fake) microphone. Measured here (VP8, loopback, 2 busy cores), with the defaults:
 * capped at 1.5 Mbit/s the encoder climbs to 1280 × 720 at a middling QP (≈ 20–45 of 127); uncapped it sends
 * 2–3 Mbit/s at 720p (QP 2, ~20 fps: the CPU's limit). Chromium's fake device: ≈ 650 kbit/s at QP 2. The barcode
 * read on every frame of a 320 × 180 layer at 150 and at 60 kbit/s.
 *
 * `installBarcodeCamera` closes over nothing: the lab sends its source into the page (`@cloudschool/testkit/netlab`).
 */
import type { TimeBarcode } from './timeBarcode.ts';

export interface BarcodeCameraOptions {
  width: number;
  height: number;
  fps: number;
  /** Textured tiles redrawn per second: the encoder's work (capped at 1.5 Mbit/s: 200 stays at 960 × 540, 600 at 640 × 360). */
  tilesPerSecond: number;
  /** Tile size in px (each tile is 4 × 4 squares of random colours). */
  tile: number;
  /** Blocks sliding across the picture. */
  movingBlocks: number;
  /** Seeds the random picture, so two runs send the same content. */
  seed: number;
}

export const BARCODE_CAMERA_DEFAULTS: BarcodeCameraOptions = {
  width: 1280,
  height: 720,
  fps: 30,
  tilesPerSecond: 100,
  tile: 32,
  movingBlocks: 3,
  seed: 1,
};

/** Runs in the page, before its own scripts. */
export function installBarcodeCamera(o: BarcodeCameraOptions, codec: TimeBarcode): void {
  const devices = globalThis.navigator?.mediaDevices;
  // Only secure pages (HTTPS, localhost) have cameras.
  if (!devices?.getUserMedia) return;
  const original = devices.getUserMedia.bind(devices);
  let canvas: HTMLCanvasElement | null = null;

  let state = o.seed >>> 0 || 1;
  /** mulberry32 */
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const colour = (): string =>
    `rgb(${Math.floor(random() * 256)},${Math.floor(random() * 256)},${Math.floor(random() * 256)})`;

  function start(): HTMLCanvasElement {
    const c = document.createElement('canvas');
    c.width = o.width;
    c.height = o.height;
    const ctx = c.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('netlab camera: no 2d canvas');
    const band = Math.ceil(o.height * codec.bandHeight);
    const cols = Math.ceil(o.width / o.tile);
    const rows = Math.ceil((o.height - band) / o.tile);
    const sub = o.tile / 4;

    const drawTile = (col: number, row: number): void => {
      const x = col * o.tile;
      const y = band + row * o.tile;
      for (let i = 0; i < 16; i++) {
        ctx.fillStyle = colour();
        ctx.fillRect(x + (i % 4) * sub, y + Math.floor(i / 4) * sub, sub, sub);
      }
    };
    for (let row = 0; row < rows; row++) for (let col = 0; col < cols; col++) drawTile(col, row);

    const blockW = Math.round(o.width / 8);
    const blockH = Math.round(o.height / 6);
    const blocks = Array.from({ length: o.movingBlocks }, (_, i) => ({
      x: random() * (o.width - blockW),
      y: band + ((i + 0.5) / o.movingBlocks) * (o.height - band - blockH),
      vx: (random() < 0.5 ? -1 : 1) * (4 + random() * 8),
      a: colour(),
      b: colour(),
    }));

    let debt = 0;
    const frame = (): void => {
      debt += o.tilesPerSecond / o.fps;
      for (; debt >= 1; debt--) drawTile(Math.floor(random() * cols), Math.floor(random() * rows));
      for (const block of blocks) {
        block.x += block.vx;
        if (block.x < 0 || block.x > o.width - blockW) {
          block.vx = -block.vx;
          block.x = Math.max(0, Math.min(o.width - blockW, block.x));
        }
        const check = Math.max(4, Math.round(blockW / 8));
        for (let y = 0; y < blockH; y += check)
          for (let x = 0; x < blockW; x += check) {
            ctx.fillStyle = ((x + y) / check) % 2 === 0 ? block.a : block.b;
            ctx.fillRect(Math.round(block.x) + x, Math.round(block.y) + y, check, check);
          }
      }
      // The time last, as close as possible to the capture.
      ctx.fillStyle = 'rgb(128,128,128)';
      ctx.fillRect(0, 0, o.width, band);
      const cells = codec.encode(Date.now());
      cells.forEach((bit, i) => {
        const r = codec.cellRect(i, o.width, o.height);
        ctx.fillStyle = bit ? '#fff' : '#000';
        ctx.fillRect(Math.round(r.x), 0, Math.round(r.x + r.w) - Math.round(r.x), Math.ceil(r.h));
      });
    };
    frame();
    setInterval(frame, 1000 / o.fps);
    return c;
  }

  devices.getUserMedia = async (constraints?: MediaStreamConstraints): Promise<MediaStream> => {
    if (!constraints?.video) return original(constraints);
    canvas ??= start();
    const stream = canvas.captureStream(o.fps);
    if (constraints.audio) {
      const audio = await original({ audio: constraints.audio });
      for (const track of audio.getAudioTracks()) stream.addTrack(track);
    }
    return stream;
  };
}
