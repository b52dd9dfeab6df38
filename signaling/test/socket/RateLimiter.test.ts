import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/socket/RateLimiter.ts';

describe('RateLimiter', () => {
  it('allows a burst, then refills at the given rate', () => {
    let now = 0;
    const limiter = new RateLimiter(3, 2, () => now);
    expect([limiter.take(), limiter.take(), limiter.take(), limiter.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    now = 499;
    expect(limiter.take()).toBe(false);
    now = 500;
    expect(limiter.take()).toBe(true);
    now = 60_000;
    expect([limiter.take(), limiter.take(), limiter.take(), limiter.take()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});
