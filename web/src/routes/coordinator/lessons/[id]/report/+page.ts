import type { LoadEvent } from '@sveltejs/kit';
import type { LessonReport } from '@cloudschool/signaling/protocol';
import { lessonReport } from '#lib/client/api.ts';
import { failLoad } from '#lib/client/guard.ts';

export interface ReportData {
  report: LessonReport;
}

export async function load(event: LoadEvent): Promise<ReportData> {
  try {
    return { report: await lessonReport(event.params.id ?? '', event.fetch) };
  } catch (cause) {
    failLoad(cause, event.url);
  }
}
