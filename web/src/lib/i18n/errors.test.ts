import { describe, expect, it } from 'vitest';
import {
  csvProblem,
  csvProblemReasons,
  errorCodes,
  rosterColumns,
  type CsvProblem,
  type CsvProblemReason,
} from '@cloudschool/protocol';
import { en } from './en.ts';
import {
  csvColumnText,
  csvProblemText,
  errorKey,
  errorText,
  pageErrorCodes,
  type Translate,
} from './errors.ts';
import { langs, translate, type Lang } from './index.ts';
import { zhCN } from './zh-CN.ts';

const t =
  (lang: Lang): Translate =>
  (key, vars) =>
    translate(lang, key, vars);
const dictionaries: Record<Lang, Readonly<Record<string, string>>> = { 'zh-CN': zhCN, en };
const chinese = /[\u3400-\u9fff]/;
/** The template's Chinese kinds, which English copy names on purpose. */
const withoutTemplateWords = (text: string): string => text.replace(/主讲|听课/g, '');

/** One problem of each reason, with parameters easy to find in the sentence. */
const samples: { [R in CsvProblemReason]: Extract<CsvProblem, { reason: R }> } = {
  empty_file: { reason: 'empty_file' },
  unclosed_quote: { reason: 'unclosed_quote' },
  bad_quote: { reason: 'bad_quote' },
  unreadable: { reason: 'unreadable' },
  missing_column: { reason: 'missing_column', column: 'district' },
  too_many_rows: { reason: 'too_many_rows', limit: 20000 },
  too_many_fields: { reason: 'too_many_fields', count: 9, limit: 7 },
  empty_value: { reason: 'empty_value', column: 'classroom' },
  too_long: { reason: 'too_long', column: 'school', limit: 100 },
  unknown_kind: { reason: 'unknown_kind', value: 'teacher' },
  duplicate: { reason: 'duplicate', firstLine: 17 },
};

/** Checks one sentence of the page in one language; returns it for further checks. */
function said(lang: Lang, text: string, what: string): string {
  expect(text.trim(), what).not.toBe('');
  expect(text, `${what}: a variable left unfilled`).not.toMatch(/\{\w+\}/);
  if (lang === 'zh-CN') expect(text, `${what} is not Chinese`).toMatch(chinese);
  else expect(withoutTemplateWords(text), `${what} is not English`).not.toMatch(chinese);
  return text;
}

describe('error words', () => {
  const codes = [...errorCodes, ...pageErrorCodes];

  it('say every error code in every language, Chinese unlike English', () => {
    for (const code of codes) {
      const key = errorKey(code);
      expect(key, code).toBe(`errorCode.${code}`);
      for (const lang of langs) {
        expect(dictionaries[lang], `${lang} lacks ${key}`).toHaveProperty([key]);
        said(lang, errorText(t(lang), code), `${lang} ${code}`);
      }
      expect(errorText(t('zh-CN'), code)).not.toBe(errorText(t('en'), code));
    }
  });

  it('say an unknown code in general words, in Chinese first', () => {
    for (const code of ['quota_exceeded', '', 'toString', '__proto__']) {
      expect(errorKey(code)).toBe('errorCode.unknown');
      expect(errorText(t('zh-CN'), code)).toBe(zhCN['errorCode.unknown']);
    }
    said('zh-CN', zhCN['errorCode.unknown'], 'zh-CN unknown');
    said('en', en['errorCode.unknown'], 'en unknown');
  });

  it('say every CSV problem reason with its parameters in every language', () => {
    expect(Object.keys(samples).sort()).toEqual([...csvProblemReasons].sort());
    for (const reason of csvProblemReasons) {
      const problem = samples[reason];
      expect(csvProblem.parse(problem)).toEqual(problem);
      const texts = langs.map((lang) => {
        expect(dictionaries[lang], `${lang} lacks csvProblem.${reason}`).toHaveProperty([
          `csvProblem.${reason}`,
        ]);
        const text = said(lang, csvProblemText(t(lang), problem), `${lang} ${reason}`);
        const { reason: _reason, ...params } = problem;
        for (const [name, value] of Object.entries(params)) {
          const shown =
            'column' in problem && name === 'column' ? csvColumnText(t(lang), problem.column) : String(value);
          expect(text, `${lang} ${reason} does not show its ${name}`).toContain(shown);
        }
        return text;
      });
      expect(new Set(texts).size, reason).toBe(texts.length);
    }
  });

  it('name every roster column as the template does', () => {
    for (const column of rosterColumns) {
      expect(csvColumnText(t('en'), column)).toBe(column);
      said('zh-CN', csvColumnText(t('zh-CN'), column), `zh-CN column ${column}`);
    }
    expect(rosterColumns.map((c) => csvColumnText(t('zh-CN'), c)).join(',')).toBe(
      '学校,省,市,区县,教室,类型,备注',
    );
  });

  it('say a CSV problem it cannot read in general words', () => {
    expect(csvProblemText(t('zh-CN'), null)).toBe(zhCN['csvProblem.unknown']);
    said('zh-CN', zhCN['csvProblem.unknown'], 'zh-CN csvProblem.unknown');
    said('en', en['csvProblem.unknown'], 'en csvProblem.unknown');
  });
});

describe('the Chinese dictionary', () => {
  /** Written the same in both on purpose. */
  const sameInBoth = new Set(['links.ical']);

  it('has no English left in it: no Latin-only entry equal to the English one', () => {
    const english = new Map<string, string>(Object.entries(en));
    const untranslated = Object.entries(zhCN)
      .filter(([key, text]) => /[A-Za-z]/.test(text) && !chinese.test(text) && english.get(key) === text)
      .map(([key]) => key)
      .filter((key) => !sameInBoth.has(key));
    expect(untranslated).toEqual([]);
  });
});
