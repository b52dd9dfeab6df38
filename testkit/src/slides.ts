/**
 * PowerPoint decks made on the spot (pptxgenjs), for the courseware conversion's tests, e2e and benchmark: each
 * slide a title and a line of Chinese and Latin text, so a converted page can be told from the others.
 */
import { crc32, deflateSync } from 'node:zlib';
import pptxgenjs from 'pptxgenjs';

// Node loads the package's ES build, whose default export is the class; its types are written as CommonJS,
// which TypeScript reads as a module holding the class under `default`.
const PptxGenJS = pptxgenjs as unknown as typeof pptxgenjs.default;

export async function makePptx(slides: number, o: { pictures?: boolean } = {}): Promise<Buffer> {
  const deck = new PptxGenJS();
  deck.layout = 'LAYOUT_16x9';
  for (let n = 1; n <= slides; n++) {
    const slide = deck.addSlide();
    slide.background = { color: 'FFFFFF' };
    slide.addText(`第 ${n} 页 · Slide ${n}`, { x: 0.5, y: 0.4, w: 9, h: 1, fontSize: 36, bold: true });
    slide.addText(`分数的加法 — adding fractions ${n}/${slides}`, {
      x: 0.5,
      y: 1.8,
      w: 9,
      h: 0.8,
      fontSize: 20,
    });
    slide.addShape(deck.ShapeType.rect, { x: 0.5 + n, y: 3, w: 1.5, h: 1.5, fill: { color: '2E86DE' } });
    if (o.pictures) {
      const png = photoPng(800, 450, n).toString('base64');
      slide.addImage({ data: `image/png;base64,${png}`, x: 4.5, y: 2.6, w: 5, h: 2.8 });
    }
  }
  return (await deck.write({ outputType: 'nodebuffer' })) as Buffer;
}

/** A file that starts like a pptx (a ZIP archive) but is not one: what a broken download or copy leaves. */
export async function corruptPptx(): Promise<Buffer> {
  const whole = await makePptx(3);
  // The local file header survives, the archive's directory (at its end) does not.
  return whole.subarray(0, Math.floor(whole.length / 3));
}

/**
 * A photo-like PNG (smooth colour fields with grain, different for each `seed`): compresses about as badly as
 * a teacher's pictures do, which is what makes real decks big and slow to convert.
 */
function photoPng(width: number, height: number, seed: number): Buffer {
  let state = seed * 2654435761;
  const grain = (): number => {
    state = (state * 1103515245 + 12345) >>> 0;
    return (state >>> 24) % 24;
  };
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      const at = row + 1 + x * 3;
      rows[at] = ((x * 255) / width + seed * 40 + grain()) & 255;
      rows[at + 1] = ((y * 255) / height + grain()) & 255;
      rows[at + 2] = (((x + y) * 128) / (width + height) + 60 + grain()) & 255;
    }
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
