import { auditKinds, auditSubjectTypes } from '@cloudschool/protocol';
import { z } from 'zod';
import { id, time } from './fields.ts';

/**
 * The audit log (AuditStore): entries appended and never changed, read a page at a time, newest first,
 * within a time range and optionally of one kind. Its storage is written by hand, as no generic log pages
 * by time (sqlite/SqliteAudit.ts; redis/RedisAudit.ts).
 */
export const auditEntries = {
  name: 'audit entry',
  schema: z.object({
    id,
    at: time,
    kind: z.enum(auditKinds),
    actorId: id.nullable(),
    /** The actor's username when it happened. */
    actorName: z.string().max(64).nullable(),
    /** The client address, for what came over HTTP. */
    source: z.string().max(64).nullable(),
    subjectType: z.enum(auditSubjectTypes).nullable(),
    subjectId: z.string().max(128).nullable(),
    subjectName: z.string().max(200).nullable(),
    details: z.record(z.string().max(64), z.union([z.string().max(500), z.number(), z.boolean(), z.null()])),
  }),
} as const;

export type AuditEntry = z.infer<typeof auditEntries.schema>;
