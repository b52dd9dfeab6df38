/** Which words explain a failure to a teacher: shared by the host and classroom pages. */
import type { CaptureProblem } from '#lib/client/capture.ts';
import type { FatalReason } from '#lib/client/lessonSession.ts';
import type { MessageKey } from '#lib/i18n/index.ts';

const fatalKeys: Record<FatalReason, MessageKey> = {
  'invalid-lesson': 'error.invalidLesson',
  'not-found': 'error.notFound',
  forbidden: 'error.forbidden',
  unsupported: 'error.unsupported',
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
