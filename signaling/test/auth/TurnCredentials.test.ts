import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TurnCredentials } from '../../src/auth/TurnCredentials.ts';

describe('TURN credentials (coturn shared secret)', () => {
  const turn = new TurnCredentials({
    urls: ['turn:turn.example.cn:3478?transport=udp', 'turns:turn.example.cn:443?transport=tcp'],
    secret: 'a-shared-secret-of-a-district',
    ttlSeconds: 3600,
  });

  it('gives a username that expires and a password coturn can check with the same secret', () => {
    const now = Date.UTC(2026, 11, 6, 8, 0);
    const [server] = turn.iceServers('peer-1', now);
    expect(server?.urls).toHaveLength(2);
    const [expires, who] = server!.username.split(':');
    expect(Number(expires)).toBe(now / 1000 + 3600);
    expect(who).toBe('peer-1');
    const expected = createHmac('sha1', 'a-shared-secret-of-a-district')
      .update(server!.username)
      .digest('base64');
    expect(server?.credential).toBe(expected);
  });

  it('gives each page and each moment its own credential', () => {
    const a = turn.iceServers('peer-1', 1_000_000)[0]!;
    const b = turn.iceServers('peer-2', 1_000_000)[0]!;
    const later = turn.iceServers('peer-1', 2_000_000)[0]!;
    expect(new Set([a.credential, b.credential, later.credential]).size).toBe(3);
  });
});
