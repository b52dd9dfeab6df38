/**
 * Which words explain a refused lesson request (a hand, a question, a quiz
 * answer…). Kept apart from messages.ts so the coordinator pages do not load
 * the socket client.
 */
import { SignalError, type SignalErrorCode } from '#lib/client/signal.ts';
import type { MessageKey } from '#lib/i18n/index.ts';

const keys: Partial<Record<SignalErrorCode, MessageKey>> = {
  timeout: 'action.timeout',
  not_joined: 'action.offline',
  rate_limited: 'action.rateLimited',
  forbidden: 'action.forbidden',
  lesson_closed: 'action.closed',
};

/** The cause when it is general (no link, too fast, …), else what the action could not do. */
export function actionErrorText(
  t: (key: MessageKey, vars?: Record<string, string | number>) => string,
  error: unknown,
  fallback: MessageKey,
): string {
  const key = error instanceof SignalError ? keys[error.code] : undefined;
  return t(key ?? fallback);
}
