/**
 * A refused roster import in the page's words: a headline, and for a 400
 * bad_csv each refused line with its problems. The lines are read from the
 * error body item by item (it is the server's, not to be cast): a line
 * without a number is left out, a problem this page cannot read is said in
 * general words.
 */
import { csvLineError, csvProblem, isCsvFileProblem, type CsvProblem } from '@cloudschool/protocol';
import { ApiError } from '#lib/client/api.ts';
import { csvProblemText, errorText, type Translate } from '#lib/i18n/errors.ts';
import { apiErrorText } from './messages.ts';

export interface RefusedLine {
  line: number;
  /** null: a problem this page cannot read. */
  problems: (CsvProblem | null)[];
}

export interface ImportFailure {
  headline: string;
  lines: { line: number; problems: string[] }[];
}

const lineNumber = csvLineError.pick({ line: true });

/** The refused lines of a 400 bad_csv. */
export function refusedLines(error: ApiError): RefusedLine[] {
  const list = error.details.lines;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown): RefusedLine[] => {
    const numbered = lineNumber.safeParse(item);
    if (!numbered.success) return [];
    const raw = typeof item === 'object' && item !== null && 'problems' in item ? item.problems : undefined;
    const problems = (Array.isArray(raw) ? raw : []).map((p: unknown) => {
      const parsed = csvProblem.safeParse(p);
      return parsed.success ? parsed.data : null;
    });
    return [{ line: numbered.data.line, problems: problems.length > 0 ? problems : [null] }];
  });
}

/** What to say about a failed import, in the language of `t`. */
export function importFailure(t: Translate, error: unknown): ImportFailure {
  if (!(error instanceof ApiError)) return { headline: apiErrorText(t, error), lines: [] };
  if (error.code === 'bad_csv') {
    const lines = refusedLines(error);
    if (lines.length === 0) return { headline: errorText(t, error.code), lines: [] };
    const wholeFile = lines.some((l) => l.problems.some((p) => p !== null && isCsvFileProblem(p.reason)));
    return {
      headline: wholeFile ? t('import.refusedFile') : t('import.refused', { n: lines.length }),
      lines: lines.map(({ line, problems }) => ({
        line,
        problems: problems.map((p) => csvProblemText(t, p)),
      })),
    };
  }
  // express refuses a body over the limit before the import sees it.
  if (error.status === 413) return { headline: t('import.tooLarge'), lines: [] };
  if (error.code === 'conflict') return { headline: t('import.conflict'), lines: [] };
  return { headline: apiErrorText(t, error), lines: [] };
}
