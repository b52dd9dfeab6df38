import { attemptCounters, waitAfter } from '../entities/limits.ts';
import type { AttemptCounter } from '../entities/limits.ts';
import type { AttemptAnswer, AttemptRule, LimitStore } from '../LimitStore.ts';
import { decodeRecord } from '../records.ts';
import type { Row, SqliteDatabase } from './SqliteDatabase.ts';

const SELECT =
  'SELECT counter_key, count, not_before, expires_at FROM attempts WHERE counter_key = ? AND expires_at > ?';
const UPSERT = `INSERT INTO attempts (counter_key, count, not_before, expires_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (counter_key) DO UPDATE SET count = excluded.count, not_before = excluded.not_before,
    expires_at = excluded.expires_at`;

/**
 * Attempt counters in SQLite, a row each. A take is one write transaction (BEGIN IMMEDIATE), so it is
 * atomic against other processes on the same file too; every take sweeps the forgotten rows out.
 */
export class SqliteAttempts implements LimitStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  async takeAttempt(rules: readonly AttemptRule[], now: number): Promise<AttemptAnswer> {
    return this.#db.transaction(() => {
      this.#db.run('DELETE FROM attempts WHERE expires_at <= ?', now);
      const counters = rules.map((rule) => this.#read(rule.key, now));
      const retryAt = Math.max(0, ...counters.map((counter) => counter?.notBefore ?? 0));
      if (retryAt > now) return { ok: false, retryAt };
      const counts = rules.map((rule, index) => {
        const count = (counters[index]?.count ?? 0) + 1;
        const wait = waitAfter(rule, count);
        this.#db.run(UPSERT, rule.key, count, now + wait, now + Math.max(rule.forgetMs, wait));
        return count;
      });
      return { ok: true, counts };
    });
  }

  async refundAttempt(key: string, now: number): Promise<void> {
    this.#db.run(
      `UPDATE attempts SET count = MAX(count - 1, 0), not_before = MIN(not_before, ?1)
       WHERE counter_key = ?2 AND expires_at > ?1`,
      now,
      key,
    );
  }

  async clearAttempts(key: string): Promise<void> {
    this.#db.run('DELETE FROM attempts WHERE counter_key = ?', key);
  }

  async getAttempts(key: string, now: number): Promise<AttemptCounter | undefined> {
    return this.#read(key, now);
  }

  #read(key: string, now: number): AttemptCounter | undefined {
    const row = this.#db.get(SELECT, key, now);
    return row && decode(row);
  }
}

function decode(row: Row): AttemptCounter {
  const record = {
    key: row['counter_key'],
    count: row['count'],
    notBefore: row['not_before'],
    expiresAt: row['expires_at'],
  };
  return decodeRecord(attemptCounters.schema, record, `attempts row ${String(row['counter_key'])}`);
}
