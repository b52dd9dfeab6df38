/** Which words explain a failure: shared by the host, classroom and console pages. */
import { ApiError } from '#lib/client/api.ts';
import type { CaptureProblem } from '#lib/client/capture.ts';
import type { FatalReason } from '#lib/client/sessionTypes.ts';
import type { QualityHint, QualityLevel } from '@cloudschool/protocol';
import { errorText, type PageErrorCode, type Translate } from '#lib/i18n/errors.ts';
import type { MessageKey } from '#lib/i18n/index.ts';

const fatalKeys: Record<FatalReason, MessageKey> = {
  'invalid-lesson': 'error.invalidLesson',
  'not-found': 'error.notFound',
  forbidden: 'error.forbidden',
  unsupported: 'error.unsupported',
  'invalid-token': 'error.invalidToken',
  unauthenticated: 'error.unauthenticated',
  closed: 'lessonOver.ended',
  'device-refused': 'classroom.deviceRefused',
  removed: 'classroom.removed',
  revoked: 'classroom.revoked',
};

export function fatalKey(reason: FatalReason | null): MessageKey {
  return reason ? fatalKeys[reason] : 'error.generic';
}

/** A quality level in a word or two ("良好", "正在重连"). */
export const qualityKeys: Record<QualityLevel, MessageKey> = {
  good: 'quality.good',
  fair: 'quality.fair',
  poor: 'quality.poor',
  bad: 'quality.bad',
  unknown: 'quality.unknown',
  reconnecting: 'quality.reconnecting',
};

/** What a page tells its people about its link; the host's upload is the classrooms' picture. */
export function qualityHintKey(hint: QualityHint, host = false): MessageKey | null {
  switch (hint) {
    case 'none':
      return null;
    case 'uplink':
      return host ? 'quality.hint.uplinkHost' : 'quality.hint.uplink';
    default:
      return `quality.hint.${hint}`;
  }
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

/**
 * How to explain a failed request: what its code means, from the dictionaries
 * (#lib/i18n/errors.ts). The server's message is English for its logs and is
 * never shown; a page that knows better for a code (a wrong password, a code
 * that finds no lesson) says so before asking here.
 */
export function apiErrorText(t: Translate, error: unknown): string {
  if (!(error instanceof ApiError)) return t('error.generic');
  // Every code the client can produce has its words (a new one is a type error here).
  const code: PageErrorCode = error.code;
  return errorText(t, code);
}
