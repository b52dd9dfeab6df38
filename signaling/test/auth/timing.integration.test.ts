/**
 * A login with a username that does not exist takes as long as one with a wrong password: both verify one
 * argon2id hash (a dummy one when there is no account). Compared as the ratio of the medians of N logins
 * each, interleaved, every one from its own address so that no limit comes into play. Medians, not means: a
 * few logins slowed by the other test lane (0.67 once in CI) say nothing of the server's answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentile } from '@cloudschool/testkit';
import { createAccount } from '../../src/http/authRoutes.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { loginFrom } from '../http/authClient.ts';

const N = 20;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer(1);
  await createAccount(server.store, {
    username: 'known',
    displayName: '甲',
    role: 'teacher',
    password: 'known-pass-1',
  });
});
afterAll(async () => {
  await server.close();
});

async function timed(from: string, username: string): Promise<number> {
  const start = performance.now();
  const res = await loginFrom(server, from, username, 'not-the-password');
  expect(res.status).toBe(401);
  return performance.now() - start;
}

const median = (values: number[]): number => percentile(values, 50)!;

describe('login timing', () => {
  it('does not tell whether a username exists', async () => {
    // Warm-up: the dummy hash, the JIT, the store's statements.
    for (let i = 0; i < 3; i++) {
      await timed(`10.1.0.${i}`, 'known');
      await timed(`10.2.0.${i}`, `nobody-${i}`);
    }
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < N; i++) {
      // Alternating which goes first, so a drift in the machine's speed falls on both alike.
      const pair = [() => timed(`10.3.${i}.1`, 'known'), () => timed(`10.4.${i}.1`, `nobody-${i}`)] as const;
      if (i % 2 === 0) {
        known.push(await pair[0]());
        unknown.push(await pair[1]());
      } else {
        unknown.push(await pair[1]());
        known.push(await pair[0]());
      }
    }
    const ratio = median(unknown) / median(known);
    // Without the dummy hash an unknown username answers in a small fraction of the time (ratio ≪ 0.5).
    expect(ratio).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1 / 0.75);
  });
});
