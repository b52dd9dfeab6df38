import type { LoadEvent } from '@sveltejs/kit';
import type { LessonView } from '@cloudschool/protocol';
import { teacherToday } from '#lib/client/api.ts';
import { failLoad } from '#lib/client/guard.ts';

export interface TodayData {
  lessons: LessonView[];
}

export async function load(event: LoadEvent): Promise<TodayData> {
  event.depends('app:today');
  try {
    const lessons = await teacherToday(event.fetch);
    return { lessons: [...lessons].sort((a, b) => a.startsAt.localeCompare(b.startsAt)) };
  } catch (cause) {
    failLoad(cause, event.url);
  }
}
