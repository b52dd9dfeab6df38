import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { z } from 'zod';

/** A sealed message as it crosses Redis: AES-256-GCM of its JSON, with the time it was sealed. */
const sealed = z.strictObject({
  iv: z.base64().length(16),
  data: z.base64().max(4 * 1024 * 1024),
  tag: z.base64().length(24),
});

/** Messages older than this are refused: a recorded message cannot be played back later. */
const MAX_AGE_MS = 60_000;

export class UnsealError extends Error {
  override name = 'UnsealError';
}

/**
 * What nodes say to each other is sealed with a key derived from the cluster secret (`CLUSTER_SECRET`,
 * from each node's environment, never from Redis): AES-256-GCM keeps it secret (SRTP keys of the pipes
 * between nodes cross in it) and proves it came from a node that knows the secret. Anything that does not
 * open (forged, unsigned, altered, too old) is refused.
 */
export class Seal {
  readonly #key: Buffer;

  constructor(secret: string) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, 'cloudschool', 'cluster messages v1', 32));
  }

  seal(message: unknown, now = Date.now()): z.infer<typeof sealed> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify({ at: now, message }), 'utf8'), cipher.final()]);
    return {
      iv: iv.toString('base64'),
      data: data.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
    };
  }

  /** The message inside, or UnsealError. */
  open(value: unknown, now = Date.now()): unknown {
    const parsed = sealed.safeParse(value);
    if (!parsed.success) throw new UnsealError('not a sealed message');
    let plain: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(parsed.data.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(parsed.data.tag, 'base64'));
      plain = Buffer.concat([
        decipher.update(Buffer.from(parsed.data.data, 'base64')),
        decipher.final(),
      ]).toString();
    } catch {
      throw new UnsealError('the message does not open with this cluster secret');
    }
    const { at, message } = JSON.parse(plain) as { at: number; message: unknown };
    if (!(Math.abs(now - at) <= MAX_AGE_MS)) throw new UnsealError('the message is too old');
    return message;
  }
}
