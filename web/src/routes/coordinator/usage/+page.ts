import type { LoadEvent } from '@sveltejs/kit';
import { addDays, mondayOf, usageQuery, type UsageReport } from '@cloudschool/protocol';
import { usageReport } from '#lib/client/api.ts';
import { failLoad } from '#lib/client/guard.ts';
import { DEFAULT_TIME_ZONE, zonedDate } from '#lib/client/time.ts';

export interface UsageData {
  /** The query shown, as the API took it (defaults filled in). */
  query: Pick<UsageReport, 'from' | 'to' | 'group' | 'period'>;
  report: UsageReport;
}

/** Weeks shown without a range in the address: this one and the seven before. */
const DEFAULT_WEEKS = 8;

/** `?from=&to=&group=&period=` pick what is shown; the last eight weeks per school by week without them. */
export async function load(event: LoadEvent): Promise<UsageData> {
  event.depends('app:usage');
  const today = zonedDate(Date.now(), DEFAULT_TIME_ZONE);
  const fallback = { from: addDays(mondayOf(today), -7 * (DEFAULT_WEEKS - 1)), to: today };
  const params = Object.fromEntries(event.url.searchParams);
  const asked = usageQuery.safeParse({ ...fallback, ...params });
  // An address edited by hand into something the API refuses shows the default view rather than an error.
  const query = asked.success ? asked.data : usageQuery.parse(fallback);
  try {
    return { query, report: await usageReport(query, event.fetch) };
  } catch (cause) {
    failLoad(cause, event.url);
  }
}
