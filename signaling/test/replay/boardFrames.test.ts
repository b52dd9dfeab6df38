import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCanvas, loadImage, PDFDocument } from '@napi-rs/canvas';
import type { BoardOp, BoardOpBody } from '@cloudschool/board';
import { Courseware } from '../../src/board/Courseware.ts';
import { renderBoardFrames } from '../../src/replay/boardFrames.ts';
import { CoursewarePages } from '../../src/replay/CoursewarePages.ts';

const T = 1_800_000_000_000;
const LESSON = 'lesson-frames';
const FILE = '6f1c1f0e-1d8a-4c3e-9d8e-0a6f5c3b2a10';
const W = 640;
const H = 360;

function ops(...bodies: [number, BoardOpBody][]): BoardOp[] {
  return bodies.map(([seconds, op], i) => ({ seq: i + 1, at: T + seconds * 1000, by: 'host', op }));
}

/** A two-page PDF: page 1 all blue, page 2 all green (colours to find in the pictures). */
function twoPagePdf(): Buffer {
  const doc = new PDFDocument();
  for (const colour of ['#1060e0', '#10a040']) {
    const ctx = doc.beginPage(800, 450);
    ctx.fillStyle = colour;
    ctx.fillRect(0, 0, 800, 450);
    doc.endPage();
  }
  return doc.close();
}

async function pixel(file: string, x: number, y: number): Promise<[number, number, number]> {
  const image = await loadImage(await readFile(file));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const d = ctx.getImageData(x, y, 1, 1).data;
  return [d[0]!, d[1]!, d[2]!];
}

/** The ffconcat list as (file, seconds) pairs. */
async function listed(list: string): Promise<{ file: string; seconds: number }[]> {
  const lines = (await readFile(list, 'utf8')).trim().split('\n').slice(1);
  const out: { file: string; seconds: number }[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    out.push({ file: lines[i]!.slice(6, -1), seconds: Number(lines[i + 1]!.slice(9)) });
  }
  return out;
}

describe('the board of an exported lesson, drawn on the server', () => {
  let root: string;
  let pages: CoursewarePages;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'cs-frames-'));
    await mkdir(path.join(root, 'courseware', LESSON), { recursive: true });
    await writeFile(path.join(root, 'courseware', LESSON, FILE), twoPagePdf());
    pages = new CoursewarePages(new Courseware(path.join(root, 'courseware')), LESSON);
  });
  afterAll(async () => {
    await pages.close();
    await rm(root, { recursive: true, force: true });
  });

  it('draws the board as it was at each change: courseware behind, strokes in their colour, bursts as one picture', async () => {
    const dir = path.join(root, 'out');
    await mkdir(dir);
    const stroke = (id: string, y: number): BoardOpBody => ({
      type: 'stroke',
      strokeId: id,
      pageId: 'p0',
      tool: 'pen',
      color: '#e03131',
      width: 24,
      points: [
        [200, y, 0.5],
        [1400, y, 0.5],
      ],
    });
    const history = ops(
      [-5, { type: 'background', pageId: 'p0', background: { fileId: FILE, page: 1 } }],
      [2, stroke('a', 300)],
      [2.05, stroke('b', 600)], // the same burst: one picture with both
      [4, { type: 'page:add', after: 'p0', background: { fileId: FILE, page: 2 } }],
    );
    const { list, frames } = await renderBoardFrames({
      ops: history,
      from: T,
      to: T + 6_000,
      width: W,
      height: H,
      dir,
      background: (bg) => pages.page(bg),
      minGapMs: 200,
    });
    const pictures = await listed(list);
    expect(frames).toBe(3);
    expect(pictures.map((p) => p.seconds)).toEqual([2.05, 1.95, 2]);
    const at = (n: number, x: number, y: number) => pixel(path.join(dir, pictures[n]!.file), x, y);
    // 0–2 s: page 1 of the PDF (blue), nothing drawn. The page (1600 × 900) fills 640 × 360: × 0.4.
    expect(await at(0, 320, 120)).toEqual([16, 96, 224]);
    // 2.05 s: both strokes, red, at y 300 and 600 (120 and 240 in the picture); blue elsewhere.
    const [r, g, b] = await at(1, 320, 120);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(80);
    expect(b).toBeLessThan(80);
    expect((await at(1, 320, 240))[0]).toBeGreaterThan(200);
    expect(await at(1, 320, 180)).toEqual([16, 96, 224]);
    // 4 s: a new page over page 2 (green), blank of ink.
    expect(await at(2, 320, 120)).toEqual([16, 160, 64]);
    expect((await readdir(dir)).filter((f) => f.endsWith('.png'))).toHaveLength(3);
  });
});
