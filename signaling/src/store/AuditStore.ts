import type { AuditKind } from '@cloudschool/protocol';
import type { AuditEntry } from './entities/audit.ts';

export interface AuditRange {
  /** Entries at or after `from` and before `to` (epoch ms). */
  from: number;
  to: number;
  kind?: AuditKind | undefined;
  /** Where the page starts: the `next` of the page before (opaque, the store's own); none for the newest. */
  cursor?: string | undefined;
  limit: number;
}

export interface AuditPageRecords {
  /** Newest first (by `at`, then the order they were appended in). */
  entries: AuditEntry[];
  /** The cursor of the next, older page; null when there is none. */
  next: string | null;
}

/** The audit log: appended to, never changed; read a page at a time. */
export interface AuditStore {
  appendAudit(entry: AuditEntry): Promise<void>;
  /** A malformed cursor is an InvalidRecordError. */
  listAudit(range: AuditRange): Promise<AuditPageRecords>;
}
