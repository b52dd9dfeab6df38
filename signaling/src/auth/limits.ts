import { isIPv4, isIPv6 } from 'node:net';
import { AppError } from '../errors.ts';

/**
 * What the attempt limiters (LoginLimiter, CodeEntryLimiter) share: who a source is, how waits grow,
 * and how a refusal is said.
 */

/**
 * The source of a request as the limiters count it: express's `req.ip` (behind a trusted proxy, the
 * address it forwarded for), IPv4 as is (also when mapped into IPv6), IPv6 by its /64 network, as one
 * machine commonly holds a whole /64.
 */
export function sourceOf(ip: string | undefined): string {
  if (ip === undefined || ip === '') return 'unknown';
  const address = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIPv4(address)) return address;
  // Not an address at all (only a misconfigured proxy would forward one): kept, but bounded.
  if (!isIPv6(address)) return address.slice(0, 64);
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, without leading zeros. */
function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((group) => group.replace(/^0+(?=.)/, ''));
}

/** Waits that double from `baseMs` up to `maxMs` (the last one holds for every later attempt). */
export function doublingWaits(baseMs: number, maxMs: number): number[] {
  const waits: number[] = [];
  for (let wait = baseMs; wait < maxMs; wait *= 2) waits.push(wait);
  waits.push(maxMs);
  return waits;
}

/** The refusal of an attempt that comes too early: 429 with `retryAfter` (seconds) for the page to say. */
export class TooEarlyError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(what: string, retryAt: number, now: number) {
    const retryAfter = Math.max(1, Math.ceil((retryAt - now) / 1000));
    super('rate_limited', `${what}: try again in ${retryAfter} s`, { retryAfter });
    this.retryAfterSeconds = retryAfter;
  }
}
