/** Error codes a client can receive in an ack. One list, used by both ends. */
export const errorCodes = [
  'bad_request',
  'bad_csv',
  'unknown_event',
  'unauthenticated',
  'invalid_credentials',
  'invalid_token',
  'conflict',
  'lesson_closed',
  'outside_window',
  'rate_limited',
  'not_joined',
  'already_joined',
  'forbidden',
  'not_found',
  'media_error',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface AckError {
  code: ErrorCode;
  message: string;
}

/** HTTP and socket errors alike. */
export interface ErrorBody {
  error: AckError & Record<string, unknown>;
}

/** Every acknowledged client→server event answers with exactly one of these. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };
