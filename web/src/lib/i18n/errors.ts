/**
 * The one place where refusals become words: the server's error codes, the
 * page's own (no answer, no ack in time…) and the reasons of a refused roster
 * CSV, said in the page's language from the dictionaries. Pages never show a
 * server's English `message`: a code this page does not know gets a general
 * sentence. Pure: pages pass their `t`.
 */
import { errorCodes, type CsvProblem, type ErrorCode, type RosterColumn } from '@cloudschool/protocol';
import type { MessageKey, Vars } from './index.ts';

export type Translate = (key: MessageKey, vars?: Vars) => string;

/** Failures the page names itself: no answer at all, an answer that is not the API's, an ack that never came. */
export const pageErrorCodes = ['network', 'bad_response', 'timeout'] as const;
export type PageErrorCode = ErrorCode | (typeof pageErrorCodes)[number];

const known: ReadonlySet<string> = new Set<string>([...errorCodes, ...pageErrorCodes]);

export function isKnownErrorCode(code: string): code is PageErrorCode {
  return known.has(code);
}

/** The key that says what a code means; `errorCode.unknown` for a code this page does not know. */
export function errorKey(code: string): MessageKey {
  return isKnownErrorCode(code) ? `errorCode.${code}` : 'errorCode.unknown';
}

/** What a code means, in the page's language. */
export function errorText(t: Translate, code: string): string {
  return t(errorKey(code));
}

/** A roster column as the import template names it in this language (学校 / school). */
export function csvColumnText(t: Translate, column: RosterColumn): string {
  return t(`csvColumn.${column}`);
}

/** One problem of a refused CSV line; `null`, a problem this page cannot read, gets a general sentence. */
export function csvProblemText(t: Translate, problem: CsvProblem | null): string {
  if (!problem) return t('csvProblem.unknown');
  const { reason, ...params } = problem;
  const vars: Record<string, string | number> = { ...params };
  if ('column' in problem) vars.column = csvColumnText(t, problem.column);
  return t(`csvProblem.${reason}`, vars);
}
