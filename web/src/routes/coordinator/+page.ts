import type { LoadEvent } from '@sveltejs/kit';
import type { LessonView, LiveLessonView } from '@cloudschool/protocol';
import { listLessons, liveLessons } from '#lib/client/api.ts';
import { failLoad } from '#lib/client/guard.ts';
import { dayRange, DEFAULT_TIME_ZONE, zonedDate } from '#lib/client/time.ts';

export interface OverviewData {
  live: LiveLessonView[];
  today: LessonView[];
  /** `YYYY-MM-DD` in the default zone. */
  date: string;
}

export async function load(event: LoadEvent): Promise<OverviewData> {
  const date = zonedDate(Date.now(), DEFAULT_TIME_ZONE);
  const { from, to } = dayRange(date, DEFAULT_TIME_ZONE);
  try {
    const [live, today] = await Promise.all([liveLessons(event.fetch), listLessons(from, to, event.fetch)]);
    return { live, today: [...today].sort((a, b) => a.startsAt.localeCompare(b.startsAt)), date };
  } catch (cause) {
    failLoad(cause, event.url);
  }
}
