/**
 * The board as files, made in the browser from the page's replica: one page as a PNG, every page as a
 * PDF (jsPDF, loaded on first use). Pages are drawn whole (the host's zoom does not apply), with their
 * courseware. Also what `window.__cloudschool.boardPng()` answers.
 */
import { BOARD_PAGE_HEIGHT, BOARD_PAGE_WIDTH, findPage } from '@cloudschool/board';
import type { BoardPage, BoardState } from '@cloudschool/board';
import type { CoursewareLibrary } from './courseware.ts';
import { renderPageImage } from './render.ts';

/** Pixels per page unit in exported files (1600 × 900 → 2400 × 1350): every export button uses it. */
export const EXPORT_SCALE = 1.5;

async function pageCanvas(
  page: BoardPage,
  library: CoursewareLibrary | null,
  scale: number,
): Promise<HTMLCanvasElement> {
  const background = page.background && library ? await library.load(page.background) : null;
  return renderPageImage(page.objects, background, scale);
}

/** A PNG data URL of a page (the shown one by default); rejects for a page the board does not have. */
export async function pagePng(
  state: BoardState,
  library: CoursewareLibrary | null,
  pageId: string = state.pageId,
  scale = 1,
): Promise<string> {
  const page = findPage(state, pageId);
  if (!page) throw new Error(`no page ${pageId} on this board`);
  return (await pageCanvas(page, library, scale)).toDataURL('image/png');
}

/** Every page, in order, as one PDF (16:9 pages, one image each). */
export async function boardPdf(state: BoardState, library: CoursewareLibrary | null): Promise<Blob> {
  const { jsPDF } = await import('jspdf');
  const width = BOARD_PAGE_WIDTH * 0.75;
  const height = BOARD_PAGE_HEIGHT * 0.75;
  const pdf = new jsPDF({ orientation: 'landscape', unit: 'pt', format: [width, height], compress: true });
  for (const [i, page] of state.pages.entries()) {
    if (i > 0) pdf.addPage([width, height], 'landscape');
    const canvas = await pageCanvas(page, library, EXPORT_SCALE);
    pdf.addImage(canvas.toDataURL('image/jpeg', 0.92), 'JPEG', 0, 0, width, height);
  }
  return pdf.output('blob');
}

/** Saves a file the browser way (a download). */
export function download(name: string, data: Blob | string): void {
  const url = typeof data === 'string' ? data : URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  if (typeof data !== 'string') setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name from the lesson's title, without characters file systems refuse. */
export function exportName(title: string, suffix: string): string {
  const printable = [...title].map((ch) => (ch.charCodeAt(0) < 0x20 ? ' ' : ch)).join('');
  const safe =
    printable
      .replace(/[\\/:*?"<>|]+/g, ' ')
      .trim()
      .slice(0, 80) || 'whiteboard';
  return `${safe}-${suffix}`;
}
