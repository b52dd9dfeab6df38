import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/** argon2id with the library's defaults (OWASP-recommended memory and time costs). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash of a random password made once per process, with the same costs as every account's. */
let dummyHash: Promise<string> | undefined;

/** Makes the dummy hash now, so that the first unknown username does not wait for it. */
export function prepareDummyHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(18).toString('base64'));
  return dummyHash;
}

/**
 * Checks a login's password against its account's hash, or, when there is no such account, against the
 * dummy hash: both take one argon2id verification, so how long a login takes does not tell whether its
 * username exists. True only for an account and its right password.
 */
export async function verifyLogin(passwordHash: string | undefined, password: string): Promise<boolean> {
  const right = await verifyPassword(passwordHash ?? (await prepareDummyHash()), password);
  return passwordHash !== undefined && right;
}
