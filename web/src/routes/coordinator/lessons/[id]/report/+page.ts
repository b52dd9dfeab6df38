import type { LoadEvent } from '@sveltejs/kit';
import type { LessonReport } from '@cloudschool/protocol';
import type { BoardState } from '@cloudschool/board';
import { lessonBoard, lessonReport } from '#lib/client/api.ts';
import { failLoad } from '#lib/client/guard.ts';

export interface ReportData {
  report: LessonReport;
  /** For the export of its pages (made in the browser, as on the host console). */
  board: BoardState;
}

export async function load(event: LoadEvent): Promise<ReportData> {
  const id = event.params.id ?? '';
  try {
    const [report, board] = await Promise.all([lessonReport(id, event.fetch), lessonBoard(id, event.fetch)]);
    return { report, board };
  } catch (cause) {
    failLoad(cause, event.url);
  }
}
