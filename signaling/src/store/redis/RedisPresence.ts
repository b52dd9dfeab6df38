import { z } from 'zod';
import type { PresenceTable } from '../Backend.ts';
import { presence } from '../entities/lessons.ts';
import type { Presence } from '../entities/lessons.ts';
import { sortBy } from '../order.ts';
import { decodeJsonRecord } from '../records.ts';
import type { StoreClient } from './client.ts';
import type { RedisKeys } from './keys.ts';

/** A presence as its lesson's hash keeps it: the record and when it expires. */
const storedPresence = z.object({ presence: presence.schema, expiresAt: z.int() });

/**
 * Presences in Redis: a hash per lesson (`<p>:presence:<lessonId>`), connection id → stored presence. Each
 * expires on its own time, which list filters by; the whole key expires once its longest-lived one has.
 */
export class RedisPresence implements PresenceTable {
  readonly #client: StoreClient;
  readonly #keys: RedisKeys;

  constructor(client: StoreClient, keys: RedisKeys) {
    this.#client = client;
    this.#keys = keys;
  }

  async putPresence(record: Presence, ttlMs: number): Promise<void> {
    const key = this.#keys.key('presence', record.lessonId);
    const expiresAt = record.lastSeen + ttlMs;
    // The key outlives its longest-lived presence (NX sets a first expiry, GT only lengthens it), so a
    // lesson nobody heartbeats any more leaves nothing behind. Never shorter than ttl: lastSeen is the
    // caller's clock, not Redis's.
    const keyTtl = Math.max(ttlMs, expiresAt - Date.now());
    await this.#client
      .multi()
      .hSet(key, record.connectionId, JSON.stringify({ presence: record, expiresAt }))
      .pExpire(key, keyTtl, 'NX')
      .pExpire(key, keyTtl, 'GT')
      .exec();
  }

  async removePresence(lessonId: string, connectionId: string): Promise<void> {
    await this.#client.hDel(this.#keys.key('presence', lessonId), connectionId);
  }

  async listPresence(lessonId: string, now: number): Promise<Presence[]> {
    const key = this.#keys.key('presence', lessonId);
    const fields = await this.#client.hGetAll(key);
    const live = Object.entries(fields)
      .map(([connectionId, json]) => {
        const where = `${key} ${connectionId}`;
        return decodeJsonRecord(storedPresence, json, where);
      })
      .filter((stored) => stored.expiresAt > now)
      .map((stored) => stored.presence);
    return sortBy(live, presence.order);
  }
}
