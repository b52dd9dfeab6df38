import type { LoadEvent } from '@sveltejs/kit';
import { recordingLibraryQuery, type RecordingLibraryPage, type RetentionView } from '@cloudschool/protocol';
import { failLoad } from '#lib/client/guard.ts';
import { getRetention, recordingLibrary } from '#lib/client/recordings.ts';
import { addDays, DEFAULT_TIME_ZONE, zonedDate } from '#lib/client/time.ts';

/** How many recordings a page of the library shows at a time. */
export const LIBRARY_PAGE = 30;

export interface LibraryFilter {
  teacher: string;
  school: string;
  /** `YYYY-MM-DD`, the first and last lesson day shown (Beijing time), inclusive. */
  from: string;
  to: string;
}

export interface LibraryData {
  filter: LibraryFilter;
  first: RecordingLibraryPage;
  retention: RetentionView;
}

/** `?teacher=&school=&from=&to=` pick what is shown; every recording of the last 90 days without them. */
export async function load(event: LoadEvent): Promise<LibraryData> {
  event.depends('app:recordings');
  const today = zonedDate(Date.now(), DEFAULT_TIME_ZONE);
  const fallback = { from: addDays(today, -89), to: today };
  const params = Object.fromEntries(event.url.searchParams);
  const asked = recordingLibraryQuery.safeParse({ ...fallback, ...params, limit: LIBRARY_PAGE });
  // An address edited by hand into something the API refuses shows the default view rather than an error.
  const query = asked.success
    ? asked.data
    : recordingLibraryQuery.parse({ ...fallback, limit: LIBRARY_PAGE });
  const filter: LibraryFilter = {
    teacher: query.teacher ?? '',
    school: query.school ?? '',
    from: query.from ?? fallback.from,
    to: query.to ?? fallback.to,
  };
  try {
    const [first, retention] = await Promise.all([
      recordingLibrary(query, event.fetch),
      getRetention(event.fetch),
    ]);
    return { filter, first, retention };
  } catch (cause) {
    failLoad(cause, event.url);
  }
}
