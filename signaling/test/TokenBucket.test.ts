import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../src/TokenBucket.ts';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the given rate', () => {
    let now = 0;
    const limiter = new TokenBucket(3, 2, () => now);
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

  it('counts bytes too: a large spend is refused whole, the budget kept for smaller ones', () => {
    let now = 0;
    const budget = new TokenBucket(1000, 100, () => now);
    expect(budget.take(800)).toBe(true);
    expect(budget.take(300)).toBe(false);
    expect(budget.take(200)).toBe(true);
    now = 3000;
    expect(budget.take(300)).toBe(true);
  });
});
