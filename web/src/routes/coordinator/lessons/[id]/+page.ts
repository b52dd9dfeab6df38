import type { LoadEvent } from '@sveltejs/kit';
import type { JoinLink, LessonView } from '@cloudschool/protocol';
import { ApiError, getLesson, lessonLinks } from '#lib/client/api.ts';
import { failLoad } from '#lib/client/guard.ts';

export interface LessonPageData {
  lesson: LessonView;
  /** Null when the links could not be had (the page still shows the lesson). */
  links: JoinLink[] | null;
  linksError: ApiError | null;
}

export async function load(event: LoadEvent): Promise<LessonPageData> {
  event.depends('app:lesson');
  const id = event.params.id ?? '';
  const links = lessonLinks(id, event.fetch).then(
    (list) => ({ links: list, linksError: null }),
    (error: unknown) => {
      if (error instanceof ApiError) return { links: null, linksError: error };
      throw error;
    },
  );
  try {
    const [lesson, linkResult] = await Promise.all([getLesson(id, event.fetch), links]);
    return { lesson, ...linkResult };
  } catch (cause) {
    failLoad(cause, event.url);
  }
}
