/**
 * What a client is told when something is refused: a code from a closed list,
 * and for details (the lines of a roster CSV) reason codes with parameters.
 * Pages put these into words in their own language; the English `message`
 * beside them is for logs and API users, and pages never show it.
 */

/** Error codes a client can receive in an ack or an HTTP error body. One list, used by both ends. */
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
  'account_disabled',
  'last_coordinator',
  'not_joined',
  'already_joined',
  /** A PC asked to join as a classroom already open on another PC: it waits for the host teacher. */
  'device_pending',
  'forbidden',
  'not_found',
  'media_error',
  /** The recording cannot start, or had to stop: the server's disk is below its floor (RECORDING_MIN_FREE_MB). */
  'disk_full',
  /** The recording runs where the host teacher's media is received, and that is another server. */
  'recording_elsewhere',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/**
 * Why a line of a roster CSV was refused (`CsvProblem` in http.ts gives each
 * its parameters).
 */
export const csvProblemReasons = [
  /** Not even a header row. */
  'empty_file',
  /** A quoted value that is never closed: everything after it would be one value. */
  'unclosed_quote',
  /** A quote inside an unquoted value, or text right after a closing quote. */
  'bad_quote',
  /** Anything else the CSV reader refuses. */
  'unreadable',
  /** The header lacks a required `column`. */
  'missing_column',
  /** More than `limit` rows under the header. */
  'too_many_rows',
  /** `count` values where the header has `limit` columns (an unquoted comma, most likely). */
  'too_many_fields',
  /** A required `column` is blank. */
  'empty_value',
  /** The `column`'s value is longer than `limit` characters. */
  'too_long',
  /** The kind `value` is neither host / 主讲 nor remote / 听课. */
  'unknown_kind',
  /** The same school and classroom as on line `firstLine`. */
  'duplicate',
] as const;

export type CsvProblemReason = (typeof csvProblemReasons)[number];

const fileProblems: ReadonlySet<CsvProblemReason> = new Set<CsvProblemReason>([
  'empty_file',
  'unclosed_quote',
  'bad_quote',
  'unreadable',
  'missing_column',
  'too_many_rows',
]);

/** True for problems that refuse the file as a whole (the reader stops there), false for one row's. */
export function isCsvFileProblem(reason: CsvProblemReason): boolean {
  return fileProblems.has(reason);
}

export interface AckError {
  code: ErrorCode;
  /** English, for logs and API users; pages say what `code` means in their language instead. */
  message: string;
}

/** HTTP and socket errors alike. */
export interface ErrorBody {
  error: AckError & Record<string, unknown>;
}

/** Every acknowledged client→server event answers with exactly one of these. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };
