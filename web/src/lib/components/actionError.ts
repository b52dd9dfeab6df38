/**
 * Which words explain a refused lesson request (a hand, a question, a quiz
 * answer…). Kept apart from messages.ts so the coordinator pages do not load
 * the socket client.
 */
import { SignalError, type SignalErrorCode } from '#lib/client/signal.ts';
import { errorText, type Translate } from '#lib/i18n/errors.ts';
import type { MessageKey } from '#lib/i18n/index.ts';

/** Causes that are the same whatever was asked: said as such (#lib/i18n/errors.ts). */
const general: ReadonlySet<SignalErrorCode> = new Set<SignalErrorCode>([
  'timeout',
  'not_joined',
  'rate_limited',
  'forbidden',
  'lesson_closed',
]);

/** The cause when it is general (no link, too fast, …), else what the action could not do. */
export function actionErrorText(t: Translate, error: unknown, fallback: MessageKey): string {
  return error instanceof SignalError && general.has(error.code) ? errorText(t, error.code) : t(fallback);
}
