import { describe, expect, it } from 'vitest';
import { ApiError } from '#lib/client/api.ts';
import type { Translate } from '#lib/i18n/errors.ts';
import { translate, type Lang } from '#lib/i18n/index.ts';
import { importFailure, refusedLines } from './importErrors.ts';

const t =
  (lang: Lang): Translate =>
  (key, vars) =>
    translate(lang, key, vars);
const badCsv = (lines: unknown, message = '2 bad rows: nothing was imported') =>
  new ApiError('bad_csv', message, { lines }, 400);
/** Any run of Latin letters: what a server's English message would bring in. */
const latinWord = /[A-Za-z]{3,}/;

describe('importFailure', () => {
  it('says a file the CSV reader refused in Chinese, naming the line, never with the server’s words', () => {
    const error = badCsv(
      [
        {
          line: 3,
          problems: [{ reason: 'unclosed_quote' }],
          message: 'a quoted value that starts here is never closed (CSV_QUOTE_NOT_CLOSED)',
        },
      ],
      'line 3: a quoted value that starts here is never closed',
    );
    const shown = importFailure(t('zh-CN'), error);
    expect(shown.headline).toBe('文件有问题，所有内容都没有导入：');
    expect(shown.lines).toEqual([
      { line: 3, problems: ['这一行有一个引号（"）没有闭合，后面的内容都无法读取。请检查引号是否成对。'] },
    ]);
    // What the page prints for the line: "第 3 行：" and the problem.
    expect(`${translate('zh-CN', 'import.line', { n: 3 })}${shown.lines[0]!.problems[0]}`).toMatch(
      /^第 3 行：.*引号/,
    );
    for (const text of [shown.headline, ...shown.lines.flatMap((l) => l.problems)])
      expect(text).not.toMatch(latinWord);
  });

  it('counts refused rows and says each problem with its values', () => {
    const error = badCsv([
      {
        line: 3,
        problems: [
          { reason: 'empty_value', column: 'classroom' },
          { reason: 'too_long', column: 'school', limit: 100 },
        ],
        message: 'classroom is empty; school is longer than 100 characters',
      },
      { line: 4, problems: [{ reason: 'unknown_kind', value: 'teacher' }], message: '…' },
      { line: 5, problems: [{ reason: 'duplicate', firstLine: 2 }], message: '…' },
    ]);
    expect(importFailure(t('zh-CN'), error)).toEqual({
      headline: '有 3 行有问题，所有内容都没有导入：',
      lines: [
        { line: 3, problems: ['“教室”为空。', '“学校”超过 100 个字。'] },
        { line: 4, problems: ['类型应为“主讲”或“听课”（host / remote），而不是“teacher”。'] },
        { line: 5, problems: ['学校和教室与第 2 行重复。'] },
      ],
    });
    expect(importFailure(t('en'), error).lines[0]).toEqual({
      line: 3,
      problems: ['"classroom" is empty.', '"school" is longer than 100 characters.'],
    });
  });

  it('reads the error body item by item: unknown problems in general words, lines without a number left out', () => {
    const error = badCsv([
      {
        line: 2,
        problems: [
          { reason: 'made_up_later', extra: 1 },
          { reason: 'empty_value', column: 'city' },
        ],
      },
      { line: 'x', problems: [{ reason: 'empty_file' }] },
      { line: 6, message: 'no problems sent' },
      'garbage',
    ]);
    expect(refusedLines(error)).toEqual([
      { line: 2, problems: [null, { reason: 'empty_value', column: 'city' }] },
      { line: 6, problems: [null] },
    ]);
    expect(importFailure(t('zh-CN'), error).lines).toEqual([
      { line: 2, problems: ['这一行有问题，请检查。', '“市”为空。'] },
      { line: 6, problems: ['这一行有问题，请检查。'] },
    ]);
    expect(importFailure(t('zh-CN'), badCsv('not a list'))).toEqual({
      headline: 'CSV 文件有问题，没有导入任何内容。',
      lines: [],
    });
  });

  it('says why a whole import was refused: too large, changed meanwhile, or the general words of its code', () => {
    const zh = t('zh-CN');
    const tooLarge = new ApiError('bad_request', 'request body too large', {}, 413);
    expect(importFailure(zh, tooLarge).headline).toMatch(/^文件太大/);
    const changed = new ApiError('conflict', 'the roster changed during the import: try again', {}, 409);
    expect(importFailure(zh, changed).headline).toMatch(/名单被别人改动了/);
    const session = new ApiError('unauthenticated', 'log in first', {}, 401);
    expect(importFailure(zh, session)).toEqual({ headline: '登录已过期，请重新登录。', lines: [] });
    const future = new ApiError('quota_exceeded' as ApiError['code'], 'quota exceeded', {}, 400);
    expect(importFailure(zh, future).headline).toBe('操作没有成功，请稍后再试。');
    expect(importFailure(zh, new TypeError('x is undefined')).headline).toBe('出现了问题，请重新加载页面。');
  });
});
