/** Error codes a client can receive in an ack. One list, used by both ends. */
export const errorCodes = [
  'bad_request',
  'unknown_event',
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

/** Every acknowledged client→server event answers with exactly one of these. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };
