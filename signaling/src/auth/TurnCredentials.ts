import { createHmac } from 'node:crypto';
import type { IceServer } from '@cloudschool/protocol';

export interface TurnOptions {
  /** e.g. `turn:turn.example.cn:3478?transport=udp`, `turn:…?transport=tcp`, `turns:turn.example.cn:443?transport=tcp`. */
  urls: string[];
  /** coturn's `static-auth-secret` (its REST API scheme). */
  secret: string;
  /** How long a credential works; a page gets a fresh one on every join and resume. */
  ttlSeconds: number;
}

/**
 * Time-limited TURN credentials in coturn's shared-secret ("TURN REST API") scheme: the username is the
 * expiry (Unix seconds) and who it is for, the password is base64(HMAC-SHA1(secret, username)). coturn
 * checks both with the same secret; nothing is stored, and a leaked credential expires by itself.
 */
export class TurnCredentials {
  readonly #options: TurnOptions;

  constructor(options: TurnOptions) {
    this.#options = options;
  }

  /** ICE servers for one page (`who`: its peer id, so coturn's logs name the page). */
  iceServers(who: string, now = Date.now()): IceServer[] {
    const expires = Math.floor(now / 1000) + this.#options.ttlSeconds;
    const username = `${expires}:${who}`;
    const credential = createHmac('sha1', this.#options.secret).update(username).digest('base64');
    return [{ urls: this.#options.urls, username, credential }];
  }
}
