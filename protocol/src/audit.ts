/**
 * The audit log as the HTTP API shows it to coordinators: who did what to which account, classroom or
 * lesson, when and from where. Append-only on the server; read a page at a time (newest first) or as CSV.
 */
import { z } from 'zod';

/** What an entry records; pages name each kind in their language (`audit.kind.<kind>`). */
export const auditKinds = [
  'login',
  /** A wrong password, or an unknown username (`details.username`), from `source`. */
  'login_failed',
  'logout',
  'account_created',
  /** The display name changed. */
  'account_changed',
  /** `details.from` → `details.to`. */
  'role_changed',
  'account_disabled',
  'account_enabled',
  /** By the account itself. */
  'password_changed',
  /** By a coordinator, or from the shell (no actor). */
  'password_reset',
  /** `details.count` sessions ended at once (by a coordinator). */
  'sessions_revoked',
  /** `details.bulk`: one of many rotated at once. */
  'classroom_code_rotated',
  /** `details.by`: 'host' (during a lesson) or 'coordinator' (before it first joins). */
  'device_approved',
  'device_refused',
  /** By a coordinator: the PC's open pages close. */
  'device_revoked',
  /** By the host teacher; `details.block`: its PCs revoked, new ones wait. */
  'page_removed',
  'lesson_started',
  'lesson_ended',
  /** By a coordinator: how many days recordings are kept, `details.from` → `details.to` (null: for ever). */
  'recording_retention_set',
  /** By the retention sweeper (no actor): `details.recordingId`, `details.days` it was kept. */
  'recording_deleted',
] as const;
export type AuditKind = (typeof auditKinds)[number];

export const auditSubjectTypes = ['account', 'classroom', 'lesson', 'device', 'page'] as const;
export type AuditSubjectType = (typeof auditSubjectTypes)[number];

/** Small facts beside an entry (a role before and after, a count, a username that does not exist). */
export type AuditDetails = Record<string, string | number | boolean | null>;

export interface AuditEntryView {
  id: string;
  /** ISO 8601, UTC. */
  at: string;
  kind: AuditKind;
  /** Who did it (their username at the time); null: nobody logged in (a failed login, the shell). */
  actor: { id: string; username: string } | null;
  /** The client address the request came from, if it came over HTTP. */
  source: string | null;
  subject: { type: AuditSubjectType; id: string; name: string } | null;
  details: AuditDetails;
}

/**
 * GET /api/audit (coordinators): entries at or after `from` and before `to`, newest first, `limit` at a
 * time; `cursor` is the `next` of the page before. GET /api/audit.csv takes the same filters (no cursor).
 */
export const auditQuery = z.object({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  kind: z.enum(auditKinds).optional(),
  cursor: z
    .string()
    .regex(/^[0-9:]{1,40}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.input<typeof auditQuery>;

export interface AuditPage {
  entries: AuditEntryView[];
  /** The cursor of the next (older) page; null when this page is the last. */
  next: string | null;
}
