/**
 * Courseware backgrounds in the browser: each file fetched once (the host and coordinators by their
 * session, classrooms with their join token), PDF pages rendered by pdf.js (loaded on first use, its
 * worker from the build), images decoded as they are; rendered pages kept per (fileId, page), the
 * most recently used few.
 */
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import type { BoardBackground } from '@cloudschool/board';
import type { BackgroundImage } from '@cloudschool/board/paint';
import { coursewareUrl } from '#lib/client/api.ts';

/** A rendered PDF page fits this box (pixels): sharp on a 1080p projector, even zoomed in a little. */
const RENDER_WIDTH = 2400;
const RENDER_HEIGHT = 1350;
/** Rendered pages kept (≈ 13 MB each at most). */
const KEEP_PAGES = 10;
/** A file that failed to load is tried again after this long. */
const RETRY_MS = 10_000;

type Source = { kind: 'pdf'; doc: PDFDocumentProxy } | { kind: 'image'; image: BackgroundImage };

/** Served by the build (see vite.config.ts): Adobe CMaps for Chinese PDFs, standard fonts, decoders. */
const pdfAsset = (dir: string): string => new URL(`/pdfjs/${dir}/`, window.location.href).href;

async function loadPdfjs() {
  const pdfjs = await import('pdfjs-dist');
  pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
  return pdfjs;
}

let pdfjsModule: ReturnType<typeof loadPdfjs> | null = null;

async function openFile(url: string): Promise<Source> {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`courseware: HTTP ${response.status}`);
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const blob = await response.blob();
  if (type === 'application/pdf') {
    pdfjsModule ??= loadPdfjs();
    const pdfjs = await pdfjsModule;
    const doc = await pdfjs.getDocument({
      data: new Uint8Array(await blob.arrayBuffer()),
      cMapUrl: pdfAsset('cmaps'),
      cMapPacked: true,
      standardFontDataUrl: pdfAsset('standard_fonts'),
      wasmUrl: pdfAsset('wasm'),
      iccUrl: pdfAsset('iccs'),
    }).promise;
    return { kind: 'pdf', doc };
  }
  const bitmap = await createImageBitmap(blob);
  return { kind: 'image', image: { image: bitmap, width: bitmap.width, height: bitmap.height } };
}

async function renderPdfPage(doc: PDFDocumentProxy, n: number): Promise<BackgroundImage | null> {
  if (n < 1 || n > doc.numPages) return null;
  const page = await doc.getPage(n);
  try {
    const natural = page.getViewport({ scale: 1 });
    const scale = Math.min(RENDER_WIDTH / natural.width, RENDER_HEIGHT / natural.height);
    const viewport = page.getViewport({ scale });
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(viewport.width);
    canvas.height = Math.ceil(viewport.height);
    await page.render({ canvas, viewport }).promise;
    return { image: canvas, width: canvas.width, height: canvas.height };
  } finally {
    page.cleanup();
  }
}

export const backgroundKey = (bg: BoardBackground): string => `${bg.fileId}#${bg.page}`;

export class CoursewareLibrary {
  readonly #lessonId: string;
  readonly #token: string | null;
  readonly #onReady: () => void;
  readonly #files = new Map<string, Promise<Source>>();
  readonly #failedAt = new Map<string, number>();
  /** Rendered pages, least recently used first. */
  readonly #pages = new Map<string, Promise<BackgroundImage | null>>();
  readonly #ready = new Map<string, BackgroundImage | null>();
  #closed = false;

  /** `onReady` is called whenever a background finished loading (draw again). */
  constructor(lessonId: string, token: string | null, onReady: () => void) {
    this.#lessonId = lessonId;
    this.#token = token;
    this.#onReady = onReady;
  }

  /**
   * The background if it is ready; otherwise undefined, and it is being loaded (onReady follows).
   * null: it has nothing to show (a page the file does not have).
   */
  peek(bg: BoardBackground): BackgroundImage | null | undefined {
    const key = backgroundKey(bg);
    if (this.#ready.has(key)) {
      this.#touch(key);
      return this.#ready.get(key);
    }
    void this.load(bg);
    return undefined;
  }

  /** The background, loaded if need be; null when it cannot be shown. */
  async load(bg: BoardBackground): Promise<BackgroundImage | null> {
    const key = backgroundKey(bg);
    const known = this.#pages.get(key);
    if (known) {
      this.#touch(key);
      return known;
    }
    const failedAt = this.#failedAt.get(bg.fileId);
    if (failedAt !== undefined && Date.now() - failedAt < RETRY_MS) return null;
    const loading = this.#render(bg).then(
      (image) => {
        if (this.#pages.get(key) === loading) {
          this.#ready.set(key, image);
          if (!this.#closed) this.#onReady();
        }
        return image;
      },
      (error: unknown) => {
        console.warn('[cloudschool] courseware', bg, error);
        this.#pages.delete(key);
        this.#files.delete(bg.fileId);
        this.#failedAt.set(bg.fileId, Date.now());
        return null;
      },
    );
    this.#pages.set(key, loading);
    this.#trim();
    return loading;
  }

  /** A file's number of pages (1 for an image). */
  async pageCount(fileId: string): Promise<number> {
    const source = await this.#file(fileId);
    return source.kind === 'pdf' ? source.doc.numPages : 1;
  }

  close(): void {
    this.#closed = true;
    for (const file of this.#files.values()) {
      file.then((s) => (s.kind === 'pdf' ? s.doc.loadingTask.destroy() : undefined)).catch(() => undefined);
    }
    this.#files.clear();
    this.#pages.clear();
    this.#ready.clear();
  }

  #file(fileId: string): Promise<Source> {
    let file = this.#files.get(fileId);
    if (!file) {
      file = openFile(coursewareUrl(this.#lessonId, fileId, this.#token));
      this.#files.set(fileId, file);
    }
    return file;
  }

  async #render(bg: BoardBackground): Promise<BackgroundImage | null> {
    const source = await this.#file(bg.fileId);
    if (source.kind === 'image') return bg.page === 1 ? source.image : null;
    return renderPdfPage(source.doc, bg.page);
  }

  #touch(key: string): void {
    const page = this.#pages.get(key);
    if (!page) return;
    this.#pages.delete(key);
    this.#pages.set(key, page);
  }

  #trim(): void {
    while (this.#pages.size > KEEP_PAGES) {
      const oldest = this.#pages.keys().next().value;
      if (oldest === undefined) break;
      this.#pages.delete(oldest);
      this.#ready.delete(oldest);
    }
  }
}
