import { MediaError, NotFoundError } from '@cloudschool/sfu';
import type { AckError, ErrorCode } from '@cloudschool/protocol';

/** An error whose code and message are meant for the client. */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  /** Extra fields for the client, e.g. the bad lines of a CSV or the conflicting bookings. */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** The one place where errors become what a client sees; unexpected ones say nothing internal. */
export function toAckError(error: unknown): { ack: AckError; unexpected: boolean } {
  if (error instanceof AppError)
    return { ack: { code: error.code, message: error.message }, unexpected: false };
  if (error instanceof NotFoundError)
    return { ack: { code: 'not_found', message: error.message }, unexpected: false };
  if (error instanceof MediaError)
    return { ack: { code: 'media_error', message: error.message }, unexpected: false };
  return { ack: { code: 'internal', message: 'internal server error' }, unexpected: true };
}
