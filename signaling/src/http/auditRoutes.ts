import express from 'express';
import { auditQuery, wallClock } from '@cloudschool/protocol';
import type { AuditEntryView, AuditPage } from '@cloudschool/protocol';
import type { Audit } from '../auth/Audit.ts';
import { DEFAULT_TIME_ZONE } from '../domain/roster.ts';
import { AppError } from '../errors.ts';
import type { AuditEntry } from '../store/entities/audit.ts';
import { InvalidRecordError } from '../store/records.ts';
import type { AuditRange } from '../store/AuditStore.ts';
import { sendCsv } from './csv.ts';
import { parse, requireRole } from './middleware.ts';

/** The most rows one CSV export holds (read a page of PAGE at a time). */
const MAX_CSV_ROWS = 100_000;
const PAGE = 500;

export function auditEntryView(entry: AuditEntry): AuditEntryView {
  return {
    id: entry.id,
    at: new Date(entry.at).toISOString(),
    kind: entry.kind,
    actor: entry.actorId === null ? null : { id: entry.actorId, username: entry.actorName ?? '' },
    source: entry.source,
    subject:
      entry.subjectType === null
        ? null
        : { type: entry.subjectType, id: entry.subjectId ?? '', name: entry.subjectName ?? '' },
    details: entry.details,
  };
}

/** The query of GET /api/audit(.csv) as the store takes it; 400 for a backwards range. */
function rangeOf(query: unknown): AuditRange {
  const q = parse(auditQuery, query);
  const range = {
    from: Date.parse(q.from),
    to: Date.parse(q.to),
    kind: q.kind,
    cursor: q.cursor,
    limit: q.limit,
  };
  if (!(range.to > range.from)) throw new AppError('bad_request', 'the range must end after it starts');
  return range;
}

/** A time as a Chinese school reads it (Asia/Shanghai), for the CSV. */
function localTime(at: number): string {
  const c = wallClock(at, DEFAULT_TIME_ZONE);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${c.year}-${two(c.month)}-${two(c.day)} ${two(c.hour)}:${two(c.minute)}:${two(c.second)}`;
}

/**
 * The audit log for coordinators: a page at a time (newest first, `next` to go on), or everything in a
 * range as CSV (csv.ts).
 */
export function auditRoutes(deps: { audit: Audit }): express.Router {
  const router = express.Router();
  const list = async (range: AuditRange) => {
    try {
      return await deps.audit.list(range);
    } catch (error) {
      if (error instanceof InvalidRecordError) throw new AppError('bad_request', 'not a cursor of this log');
      throw error;
    }
  };

  router.get('/api/audit', requireRole('coordinator'), async (req, res) => {
    const page = await list(rangeOf(req.query));
    const answer: AuditPage = { entries: page.entries.map(auditEntryView), next: page.next };
    res.json(answer);
  });

  router.get('/api/audit.csv', requireRole('coordinator'), async (req, res) => {
    const range = { ...rangeOf(req.query), cursor: undefined, limit: PAGE };
    const rows: AuditEntry[] = [];
    for (let cursor: string | null | undefined; cursor !== null && rows.length < MAX_CSV_ROWS;) {
      const page = await list({ ...range, cursor });
      rows.push(...page.entries);
      cursor = page.next;
    }
    sendCsv(res, 'audit.csv', [
      ['time_utc', 'time_local', 'kind', 'actor', 'source', 'subject_type', 'subject', 'details'],
      ...rows
        .slice(0, MAX_CSV_ROWS)
        .map((e) => [
          new Date(e.at).toISOString(),
          localTime(e.at),
          e.kind,
          e.actorName ?? '',
          e.source ?? '',
          e.subjectType ?? '',
          e.subjectName ?? '',
          Object.keys(e.details).length === 0 ? '' : JSON.stringify(e.details),
        ]),
    ]);
  });

  return router;
}
