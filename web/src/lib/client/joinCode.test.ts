import { describe, expect, it } from 'vitest';
import { joinByCodeRequest } from '@cloudschool/protocol';
import { isJoinCode, normalizeJoinCode } from './joinCode.ts';

describe('join codes', () => {
  it('accepts exactly what the server accepts once normalized', () => {
    for (const sample of [
      'AB12CD',
      'ab12cd',
      ' AB12CD ',
      'AB-12CD',
      'AB12C',
      'AB12CDE',
      'AB 12 CD',
      '数学一二三四',
      '',
    ]) {
      const server = joinByCodeRequest.safeParse({ code: normalizeJoinCode(sample) });
      expect(isJoinCode(normalizeJoinCode(sample)), sample).toBe(server.success);
    }
  });

  it('capitalizes and drops spaces and dashes', () => {
    expect(normalizeJoinCode(' ab-12 cd ')).toBe('AB12CD');
  });
});
