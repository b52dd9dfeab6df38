import { describe, expect, it } from 'vitest';
import { csvRowCount, decodeCsv } from './csv.ts';

describe('decodeCsv', () => {
  it('reads UTF-8, with or without the BOM Excel writes', () => {
    const text = '学校,省\n实验小学,四川省\n';
    const utf8 = new TextEncoder().encode(text);
    expect(decodeCsv(utf8)).toBe(text);
    expect(decodeCsv(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]))).toBe(text);
  });

  it('falls back to GB18030 for a file saved by Chinese Excel', () => {
    // "学校,省份\n实验小学,四川省\n" in GBK.
    const gbk = [
      209, 167, 208, 163, 44, 202, 161, 183, 221, 10, 202, 181, 209, 233, 208, 161, 209, 167, 44, 203, 196,
      180, 168, 202, 161, 10,
    ];
    expect(decodeCsv(new Uint8Array(gbk))).toBe('学校,省份\n实验小学,四川省\n');
  });

  it('counts the rows under the header', () => {
    expect(csvRowCount('a,b\r\n1,2\r\n\r\n3,4\n')).toBe(2);
    expect(csvRowCount('')).toBe(0);
  });
});
