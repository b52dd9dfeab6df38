import { createHash } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { AppError } from '../errors.ts';

const AUDIENCE = 'cloudschool:classroom';
const CALENDAR_AUDIENCE = 'cloudschool:calendar';

/**
 * How long after it expired a join link still reads its lesson's files (courseware, the recording): a
 * classroom watches the lesson later with the link it had. As long as the longest retention of recordings.
 */
const READABLE_AFTER_EXPIRY_S = 3650 * 86_400;

/** How long a calendar feed key works (a term and then some); a new code revokes it sooner. */
const CALENDAR_TTL_MS = 200 * 86_400_000;

const claims = z.object({
  lessonId: z.string().min(1),
  classroomId: z.string().min(1),
  role: z.literal('classroom'),
  /** The classroom's code when the link was made: a new code (rotated) makes every older link invalid. */
  cf: z.string().min(1),
});
export type JoinClaims = z.infer<typeof claims>;

/** What a link remembers of its classroom's code (not the code itself: a link must not reveal it). */
export function codeFingerprint(code: string): string {
  return createHash('sha256').update(`cloudschool code ${code}`).digest('base64url').slice(0, 16);
}

/**
 * Signed join links (HS256, jose): bound to one lesson, one classroom (and its current code) and the
 * classroom role, expiring after the lesson. Calendar feed keys are bound to a classroom and its code and
 * expire after CALENDAR_TTL_MS. Rotating a classroom's code invalidates both.
 */
export class JoinTokens {
  readonly #key: Uint8Array;

  constructor(secret: string) {
    this.#key = new TextEncoder().encode(secret);
  }

  sign(c: JoinClaims, expiresAt: number): Promise<string> {
    return new SignJWT(c)
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(this.#key);
  }

  /** The claims, or AppError('invalid_token') for anything forged, expired or malformed. */
  verify(token: string): Promise<JoinClaims> {
    return this.#verify(token, 0);
  }

  /**
   * The claims of a link to read its lesson's files, expired or not (forged or malformed: invalid_token).
   * It opens nothing live: lesson:join checks `verify`.
   */
  verifyForReading(token: string): Promise<JoinClaims> {
    return this.#verify(token, READABLE_AFTER_EXPIRY_S);
  }

  async #verify(token: string, clockTolerance: number): Promise<JoinClaims> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        audience: AUDIENCE,
        algorithms: ['HS256'],
        clockTolerance,
      });
      return claims.parse(payload);
    } catch (error) {
      const expired = error instanceof joseErrors.JWTExpired;
      throw new AppError(
        'invalid_token',
        expired ? 'this join link has expired' : 'this join link is not valid',
      );
    }
  }

  signCalendar(classroomId: string, code: string, now = Date.now()): Promise<string> {
    return new SignJWT({ classroomId, cf: codeFingerprint(code) })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(CALENDAR_AUDIENCE)
      .setExpirationTime(Math.floor((now + CALENDAR_TTL_MS) / 1000))
      .sign(this.#key);
  }

  async verifyCalendar(token: string): Promise<{ classroomId: string; cf: string }> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        audience: CALENDAR_AUDIENCE,
        algorithms: ['HS256'],
      });
      return z.object({ classroomId: z.string().min(1), cf: z.string().min(1) }).parse(payload);
    } catch {
      throw new AppError('invalid_token', 'this calendar link is not valid');
    }
  }
}
