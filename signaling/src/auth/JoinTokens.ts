import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { AppError } from '../errors.ts';

const AUDIENCE = 'cloudschool:classroom';
const CALENDAR_AUDIENCE = 'cloudschool:calendar';

const claims = z.object({
  lessonId: z.string().min(1),
  classroomId: z.string().min(1),
  role: z.literal('classroom'),
});
export type JoinClaims = z.infer<typeof claims>;

/**
 * Signed join links (HS256, jose): bound to one lesson, one classroom and
 * the classroom role, expiring after the lesson. Calendar feed keys are
 * bound to a classroom and do not expire.
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
  async verify(token: string): Promise<JoinClaims> {
    try {
      const { payload } = await jwtVerify(token, this.#key, { audience: AUDIENCE, algorithms: ['HS256'] });
      return claims.parse(payload);
    } catch (error) {
      const expired = error instanceof joseErrors.JWTExpired;
      throw new AppError(
        'invalid_token',
        expired ? 'this join link has expired' : 'this join link is not valid',
      );
    }
  }

  signCalendar(classroomId: string): Promise<string> {
    return new SignJWT({ classroomId })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(CALENDAR_AUDIENCE)
      .sign(this.#key);
  }

  async verifyCalendar(token: string): Promise<string> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        audience: CALENDAR_AUDIENCE,
        algorithms: ['HS256'],
      });
      return z.object({ classroomId: z.string().min(1) }).parse(payload).classroomId;
    } catch {
      throw new AppError('invalid_token', 'this calendar link is not valid');
    }
  }
}
