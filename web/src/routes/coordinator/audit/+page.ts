import type { LoadEvent } from '@sveltejs/kit';
import { auditKinds, type AuditKind, type AuditPage } from '@cloudschool/protocol';
import { auditPage } from '#lib/client/api.ts';
import { failLoad } from '#lib/client/guard.ts';
import { addDays, daysRange, DEFAULT_TIME_ZONE, isDateString, zonedDate } from '#lib/client/time.ts';

/** How many entries a page of the log shows at a time. */
export const AUDIT_PAGE = 50;

export interface AuditFilter {
  /** `YYYY-MM-DD`, the first and last day shown (Beijing time), inclusive. */
  from: string;
  to: string;
  kind: AuditKind | null;
}

export interface AuditData {
  filter: AuditFilter;
  /** The instants the filter stands for, as the API takes them. */
  range: { from: string; to: string };
  first: AuditPage;
}

const isKind = (value: string | null): value is AuditKind => auditKinds.some((kind) => kind === value);

/** `?from=&to=` (dates) and `?kind=` pick what is shown; the last 7 days, of every kind, without them. */
export async function load(event: LoadEvent): Promise<AuditData> {
  event.depends('app:audit');
  const today = zonedDate(Date.now(), DEFAULT_TIME_ZONE);
  const params = event.url.searchParams;
  const to = isDateString(params.get('to') ?? '') ? (params.get('to') ?? today) : today;
  const fromAsked = params.get('from') ?? '';
  const from = isDateString(fromAsked) && fromAsked <= to ? fromAsked : addDays(to, -6);
  const kindAsked = params.get('kind');
  const filter: AuditFilter = { from, to, kind: isKind(kindAsked) ? kindAsked : null };
  const range = {
    from: daysRange(from, 1, DEFAULT_TIME_ZONE).from,
    to: daysRange(to, 1, DEFAULT_TIME_ZONE).to,
  };
  try {
    const first = await auditPage(
      { ...range, kind: filter.kind ?? undefined, limit: AUDIT_PAGE },
      event.fetch,
    );
    return { filter, range, first };
  } catch (cause) {
    failLoad(cause, event.url);
  }
}
