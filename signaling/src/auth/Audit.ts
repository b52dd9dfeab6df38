import { randomUUID } from 'node:crypto';
import type { AuditDetails, AuditKind, AuditSubjectType } from '@cloudschool/protocol';
import type { Account } from '../domain/types.ts';
import type { AuditPageRecords, AuditRange } from '../store/AuditStore.ts';
import type { AuditEntry } from '../store/entities/audit.ts';
import type { AuditStore } from '../store/Store.ts';

/** Who did it: an account (its username at the time). */
export interface AuditActor {
  id: string;
  username: string;
}

/** What happened, as callers say it; the time and id are the log's. */
export interface AuditEvent {
  kind: AuditKind;
  actor?: AuditActor | null | undefined;
  /** The client address of the request (`sourceOf(req.ip)`), if it came over HTTP. */
  source?: string | null | undefined;
  subject?: AuditSubject | null | undefined;
  details?: AuditDetails | undefined;
}

export interface AuditSubject {
  type: AuditSubjectType;
  id: string;
  name: string;
}

/** An account as a subject of the log. */
export const accountSubject = (account: Account): AuditSubject => ({
  type: 'account',
  id: account.id,
  name: account.username,
});

/**
 * The audit log: who did what, when, from where. Appended to by whatever does something worth
 * answering for later: logins and accounts here, lesson start and end (server.ts), and the hooks others
 * call (classroom code rotations, device approvals, page removals) through `record()`.
 *
 * Recording never fails what it records: an entry that cannot be written is logged as an error, and the
 * action it describes stands.
 */
export class Audit {
  readonly #store: AuditStore;
  readonly #failed: (error: unknown, entry: AuditEntry) => void;
  readonly #now: () => number;

  /** `failed`: an entry could not be written (logged by the caller). */
  constructor(
    store: AuditStore,
    failed: (error: unknown, entry: AuditEntry) => void,
    now: () => number = Date.now,
  ) {
    this.#store = store;
    this.#failed = failed;
    this.#now = now;
  }

  async record(event: AuditEvent): Promise<void> {
    const entry: AuditEntry = {
      id: randomUUID(),
      at: this.#now(),
      kind: event.kind,
      actorId: event.actor?.id ?? null,
      actorName: event.actor?.username ?? null,
      source: event.source ?? null,
      subjectType: event.subject?.type ?? null,
      subjectId: event.subject?.id ?? null,
      subjectName: event.subject?.name ?? null,
      details: event.details ?? {},
    };
    try {
      await this.#store.appendAudit(entry);
    } catch (error) {
      this.#failed(error, entry);
    }
  }

  list(range: AuditRange): Promise<AuditPageRecords> {
    return this.#store.listAudit(range);
  }
}
