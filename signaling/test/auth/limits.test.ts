import { describe, expect, it } from 'vitest';
import { doublingWaits, sourceOf } from '../../src/auth/limits.ts';

describe('sources and waits', () => {
  it('counts IPv4 as is, IPv4 mapped into IPv6 as IPv4, and IPv6 by its /64', () => {
    expect(sourceOf('203.0.113.7')).toBe('203.0.113.7');
    expect(sourceOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(sourceOf('2001:db8:0:12:abcd::1')).toBe('2001:db8:0:12::/64');
    expect(sourceOf('2001:DB8:0000:0012:ffff:1:2:3')).toBe('2001:db8:0:12::/64');
    expect(sourceOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(sourceOf('::1')).toBe('0:0:0:0::/64');
    expect(sourceOf(undefined)).toBe('unknown');
    expect(sourceOf('x'.repeat(100))).toBe('x'.repeat(64));
  });

  it('doubles waits up to the longest', () => {
    expect(doublingWaits(1000, 60_000)).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000]);
    expect(doublingWaits(1000, 1000)).toEqual([1000]);
  });
});
