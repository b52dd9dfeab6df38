import type { LoadEvent } from '@sveltejs/kit';
import type { LessonView } from '@cloudschool/protocol';
import { listLessons } from '#lib/client/api.ts';
import { failLoad } from '#lib/client/guard.ts';
import { DEFAULT_TIME_ZONE, isDateString, mondayOf, weekRange, zonedDate } from '#lib/client/time.ts';

export interface WeekData {
  /** `YYYY-MM-DD` of the Monday shown. */
  monday: string;
  today: string;
  lessons: LessonView[];
}

/** `?week=YYYY-MM-DD` (any day of the week) picks the week; this week without it. */
export async function load(event: LoadEvent): Promise<WeekData> {
  const today = zonedDate(Date.now(), DEFAULT_TIME_ZONE);
  const asked = event.url.searchParams.get('week') ?? '';
  const monday = mondayOf(isDateString(asked) ? asked : today);
  const { from, to } = weekRange(monday, DEFAULT_TIME_ZONE);
  try {
    const lessons = await listLessons(from, to, event.fetch);
    return { monday, today, lessons: [...lessons].sort((a, b) => a.startsAt.localeCompare(b.startsAt)) };
  } catch (cause) {
    failLoad(cause, event.url);
  }
}
