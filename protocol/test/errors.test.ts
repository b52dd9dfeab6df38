import { describe, expect, it } from 'vitest';
import {
  csvLineError,
  csvProblem,
  csvProblemReasons,
  errorCodes,
  isCsvFileProblem,
  rosterColumns,
} from '@cloudschool/protocol';

describe('error codes and CSV problem reasons', () => {
  it('are closed lists without repeats', () => {
    expect(new Set(errorCodes).size).toBe(errorCodes.length);
    expect(new Set(csvProblemReasons).size).toBe(csvProblemReasons.length);
  });

  it('give every CSV problem reason exactly one shape', () => {
    const shaped = csvProblem.options.map((option) => option.shape.reason.value);
    expect([...shaped].sort()).toEqual([...csvProblemReasons].sort());
  });

  it('validate a refused line as the pages read it', () => {
    const line = {
      line: 3,
      problems: [
        { reason: 'empty_value', column: 'classroom' },
        { reason: 'unknown_kind', value: 'teacher' },
      ],
      message: 'classroom is empty; kind "teacher" is neither host nor remote',
    };
    expect(csvLineError.parse(line)).toEqual(line);
    expect(csvLineError.safeParse({ ...line, line: 0 }).success).toBe(false);
    expect(csvLineError.safeParse({ ...line, problems: [] }).success).toBe(false);
    expect(csvProblem.safeParse({ reason: 'empty_value', column: 'teacher' }).success).toBe(false);
    expect(csvProblem.safeParse({ reason: 'too_long', column: 'notes' }).success).toBe(false);
    expect(csvProblem.safeParse({ reason: 'no_such_reason' }).success).toBe(false);
    for (const column of rosterColumns)
      expect(csvProblem.safeParse({ reason: 'missing_column', column }).success).toBe(true);
  });

  it('tell problems of the whole file from those of a row', () => {
    const whole = csvProblemReasons.filter(isCsvFileProblem);
    expect(whole).toEqual([
      'empty_file',
      'unclosed_quote',
      'bad_quote',
      'unreadable',
      'missing_column',
      'too_many_rows',
    ]);
  });
});
