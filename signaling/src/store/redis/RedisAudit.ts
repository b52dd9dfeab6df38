import type { AuditPageRecords, AuditRange, AuditStore } from '../AuditStore.ts';
import { auditEntries } from '../entities/audit.ts';
import type { AuditEntry } from '../entities/audit.ts';
import { CorruptRecordError, decodeJsonRecord, InvalidRecordError } from '../records.ts';
import type { StoreClient } from './client.ts';
import type { RedisKeys } from './keys.ts';

/** Entries of one millisecond a score tells apart (see score()). */
const PER_MS = 1000;

/**
 * The audit log in Redis: the entries in a hash (`<p>:audit`, id → JSON) and two sorted sets of their
 * ids, one of all (`<p>:audit:all`) and one per kind (`<p>:audit:kind:<kind>`), written in one MULTI.
 * A score is `at · 1000 + seq mod 1000`, seq numbering the appends (`<p>:audit:seq`): unique, so a page
 * ends at a score and the next starts below it (the cursor). Entries of one millisecond keep the order
 * they were appended in, but where seq passes a multiple of 1000 within that millisecond. Scores stay
 * exact doubles until the year 2255 (at · 1000 < 2^53).
 */
export class RedisAudit implements AuditStore {
  readonly #client: StoreClient;
  readonly #keys: RedisKeys;

  constructor(client: StoreClient, keys: RedisKeys) {
    this.#client = client;
    this.#keys = keys;
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const seq = await this.#client.incr(this.#keys.key('audit:seq'));
    const member = { score: entry.at * PER_MS + (seq % PER_MS), value: entry.id };
    await this.#client
      .multi()
      .hSet(this.#keys.key('audit'), entry.id, JSON.stringify(entry))
      .zAdd(this.#keys.key('audit:all'), member)
      .zAdd(this.#keys.key('audit:kind', entry.kind), member)
      .exec();
  }

  async listAudit(range: AuditRange): Promise<AuditPageRecords> {
    const index =
      range.kind === undefined ? this.#keys.key('audit:all') : this.#keys.key('audit:kind', range.kind);
    const top = range.cursor === undefined ? `(${range.to * PER_MS}` : `(${parseCursor(range.cursor)}`;
    const listed = await this.#client.zRangeWithScores(index, top, range.from * PER_MS, {
      BY: 'SCORE',
      REV: true,
      LIMIT: { offset: 0, count: range.limit + 1 },
    });
    const page = listed.slice(0, range.limit);
    if (page.length === 0) return { entries: [], next: null };
    const hash = this.#keys.key('audit');
    const texts = await this.#client.hmGet(
      hash,
      page.map((item) => item.value),
    );
    const entries = texts.map((text, i) => {
      const where = `${hash} ${page[i]?.value ?? ''}`;
      if (text === null) throw new CorruptRecordError(`${where}: listed in its index but missing`);
      return decodeJsonRecord(auditEntries.schema, text, where);
    });
    const last = page.at(-1);
    const next = listed.length > range.limit && last ? String(last.score) : null;
    return { entries, next };
  }
}

function parseCursor(cursor: string): number {
  if (!/^\d{1,18}$/.test(cursor))
    throw new InvalidRecordError(`invalid audit cursor ${JSON.stringify(cursor)}`);
  return Number(cursor);
}
