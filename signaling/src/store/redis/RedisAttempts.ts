import { attemptCounters } from '../entities/limits.ts';
import type { AttemptCounter } from '../entities/limits.ts';
import type { AttemptAnswer, AttemptRule, LimitStore } from '../LimitStore.ts';
import { decodeRecord } from '../records.ts';
import type { StoreClient } from './client.ts';
import type { RedisKeys } from './keys.ts';

/** Attempt counters in Redis: a hash per counter at `<p>:attempts:<key>` (attemptScripts.ts). */
export class RedisAttempts implements LimitStore {
  readonly #client: StoreClient;
  readonly #keys: RedisKeys;

  constructor(client: StoreClient, keys: RedisKeys) {
    this.#client = client;
    this.#keys = keys;
  }

  async takeAttempt(rules: readonly AttemptRule[], now: number): Promise<AttemptAnswer> {
    if (rules.length === 0) return { ok: true, counts: [] };
    const keys = rules.map((rule) => this.#key(rule.key));
    return this.#client.takeAttempt(keys, rules, now);
  }

  async refundAttempt(key: string, now: number): Promise<void> {
    await this.#client.refundAttempt(this.#key(key), now);
  }

  async clearAttempts(key: string): Promise<void> {
    await this.#client.del(this.#key(key));
  }

  async getAttempts(key: string, now: number): Promise<AttemptCounter | undefined> {
    const redisKey = this.#key(key);
    const fields = await this.#client.hGetAll(redisKey);
    if (fields['count'] === undefined) return undefined;
    const counter = decodeRecord(
      attemptCounters.schema,
      {
        key,
        count: Number(fields['count']),
        notBefore: Number(fields['notBefore']),
        expiresAt: Number(fields['expiresAt']),
      },
      redisKey,
    );
    // The counter's own time decides, on this node's clock (Redis drops the key on its own clock).
    return counter.expiresAt > now ? counter : undefined;
  }

  #key(key: string): string {
    return this.#keys.key('attempts', key);
  }
}
