import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import type { BoardBackground } from '@cloudschool/board';
import type { BackgroundImage } from '@cloudschool/board/paint';
import type { Courseware } from '../board/Courseware.ts';

/** A PDF page is rendered to fit this box: the export is 1280 × 720, so a view zoomed in 1.5× stays sharp. */
const RENDER_WIDTH = 1920;
const RENDER_HEIGHT = 1080;
/** Rendered pages kept (≈ 8 MB each). */
const KEEP_PAGES = 6;

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type PdfDocument = Awaited<ReturnType<PdfJs['getDocument']>['promise']>;
type Source =
  | { kind: 'pdf'; doc: PdfDocument; task: ReturnType<PdfJs['getDocument']> }
  | { kind: 'image'; image: BackgroundImage }
  | null;

const require = createRequire(import.meta.url);
/** pdf.js's data (CMaps for Chinese PDFs, the standard fonts), read from its package on this disk. */
const pdfjsDir = path.dirname(require.resolve('pdfjs-dist/package.json'));

let pdfjs: Promise<PdfJs> | null = null;
function loadPdfjs(): Promise<PdfJs> {
  // The legacy build is pdf.js's Node build; it draws on @napi-rs/canvas, the canvas the board is painted on.
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjs;
}

/**
 * A lesson's courseware pages as the server paints them behind the board (the exported video): PDF pages
 * rendered by pdf.js, images decoded as they are, as the browser's courseware library does. One lesson's
 * files, opened once; a file that cannot be read is a blank page (as on a page whose file failed).
 */
export class CoursewarePages {
  readonly #courseware: Courseware;
  readonly #lessonId: string;
  readonly #files = new Map<string, Promise<Source>>();
  readonly #pages = new Map<string, Promise<BackgroundImage | null>>();

  constructor(courseware: Courseware, lessonId: string) {
    this.#courseware = courseware;
    this.#lessonId = lessonId;
  }

  page(bg: BoardBackground): Promise<BackgroundImage | null> {
    const key = `${bg.fileId}#${bg.page}`;
    let page = this.#pages.get(key);
    if (page) {
      this.#pages.delete(key);
    } else {
      page = this.#render(bg).catch(() => null);
    }
    this.#pages.set(key, page);
    while (this.#pages.size > KEEP_PAGES) this.#pages.delete(this.#pages.keys().next().value!);
    return page;
  }

  async close(): Promise<void> {
    const files = [...this.#files.values()];
    this.#files.clear();
    this.#pages.clear();
    for (const file of await Promise.all(files.map((f) => f.catch(() => null))))
      if (file?.kind === 'pdf') await file.task.destroy();
  }

  async #render(bg: BoardBackground): Promise<BackgroundImage | null> {
    let source = this.#files.get(bg.fileId);
    if (!source) {
      source = this.#open(bg.fileId).catch(() => null);
      this.#files.set(bg.fileId, source);
    }
    const file = await source;
    if (!file) return null;
    if (file.kind === 'image') return file.image;
    if (bg.page < 1 || bg.page > file.doc.numPages) return null;
    const page = await file.doc.getPage(bg.page);
    try {
      const natural = page.getViewport({ scale: 1 });
      const viewport = page.getViewport({
        scale: Math.min(RENDER_WIDTH / natural.width, RENDER_HEIGHT / natural.height),
      });
      const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
      await page.render({
        canvas: canvas as unknown as HTMLCanvasElement,
        canvasContext: canvas.getContext('2d') as unknown as CanvasRenderingContext2D,
        viewport,
      }).promise;
      return { image: canvas as unknown as CanvasImageSource, width: canvas.width, height: canvas.height };
    } finally {
      page.cleanup();
    }
  }

  async #open(fileId: string): Promise<Source> {
    const found = await this.#courseware.find(this.#lessonId, fileId);
    if (!found) return null;
    const bytes = await readFile(found.path);
    if (found.type === 'application/pdf') {
      const { getDocument } = await loadPdfjs();
      const task = getDocument({
        data: new Uint8Array(bytes),
        cMapUrl: pathToFileURL(path.join(pdfjsDir, 'cmaps') + path.sep).href,
        cMapPacked: true,
        standardFontDataUrl: pathToFileURL(path.join(pdfjsDir, 'standard_fonts') + path.sep).href,
      });
      return { kind: 'pdf', doc: await task.promise, task };
    }
    const image = await loadImage(bytes);
    return {
      kind: 'image',
      image: { image: image as unknown as CanvasImageSource, width: image.width, height: image.height },
    };
  }
}
