/** Which words explain a failure: shared by the host, classroom and console pages. */
import { ApiError } from '#lib/client/api.ts';
import type { CaptureProblem } from '#lib/client/capture.ts';
import type { FatalReason } from '#lib/client/lessonSession.ts';
import type { MessageKey } from '#lib/i18n/index.ts';

const fatalKeys: Record<FatalReason, MessageKey> = {
  'invalid-lesson': 'error.invalidLesson',
  'not-found': 'error.notFound',
  forbidden: 'error.forbidden',
  unsupported: 'error.unsupported',
  'invalid-token': 'error.invalidToken',
  unauthenticated: 'error.unauthenticated',
  closed: 'lessonOver.ended',
};

export function fatalKey(reason: FatalReason | null): MessageKey {
  return reason ? fatalKeys[reason] : 'error.generic';
}

export const captureKeys: Record<CaptureProblem, MessageKey> = {
  denied: 'capture.denied',
  'not-found': 'capture.notFound',
  busy: 'capture.busy',
  'bad-device': 'capture.badDevice',
  ended: 'capture.ended',
  insecure: 'capture.insecure',
  unknown: 'capture.unknown',
};

/** Codes whose cause is the same whatever was asked: said in the page's language. */
const apiKeys: Partial<Record<ApiError['code'], MessageKey>> = {
  network: 'apiError.network',
  unauthenticated: 'apiError.unauthenticated',
  forbidden: 'apiError.forbidden',
  not_found: 'apiError.notFound',
  rate_limited: 'apiError.rateLimited',
  bad_response: 'apiError.badResponse',
};

/**
 * How to explain a failed request: our own words for the codes above, the
 * server's message (which says what exactly was wrong) for everything else.
 */
export function apiErrorText(
  t: (key: MessageKey, vars?: Record<string, string | number>) => string,
  error: unknown,
): string {
  if (!(error instanceof ApiError)) return t('error.generic');
  const key = apiKeys[error.code];
  if (key) return t(key);
  return error.message ? t('apiError.server', { message: error.message }) : t('error.generic');
}
