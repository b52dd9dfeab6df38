/**
 * The recordings library (signaling/src/http/recordingLibraryRoutes.ts): every recording for coordinators,
 * a teacher's own, and the district's retention. Every failure is an ApiError (api.ts).
 */
import type { RecordingLibraryPage, RecordingLibraryQuery, RetentionView } from '@cloudschool/protocol';
import { call } from './api.ts';

type Fetch = typeof fetch;

function search(query: RecordingLibraryQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  return params.toString();
}

/** Coordinators: recordings of the lessons that start in the days asked, newest first, a page at a time. */
export async function recordingLibrary(
  query: RecordingLibraryQuery,
  fetchFn?: Fetch,
): Promise<RecordingLibraryPage> {
  return call<RecordingLibraryPage>(`/api/recordings?${search(query)}`, { fetch: fetchFn });
}

/** A teacher: the recordings of their own lessons. */
export async function myRecordings(
  query: Omit<RecordingLibraryQuery, 'teacher'> = {},
  fetchFn?: Fetch,
): Promise<RecordingLibraryPage> {
  return call<RecordingLibraryPage>(`/api/teacher/recordings?${search(query)}`, { fetch: fetchFn });
}

export async function getRetention(fetchFn?: Fetch): Promise<RetentionView> {
  return call<RetentionView>('/api/recordings/retention', { fetch: fetchFn });
}

/** `days` null keeps recordings for ever. */
export async function setRetention(days: number | null): Promise<RetentionView> {
  return call<RetentionView>('/api/recordings/retention', { method: 'PUT', json: { days } });
}
