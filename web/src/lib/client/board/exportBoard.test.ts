import { describe, expect, it } from 'vitest';
import { exportName } from './exportBoard.ts';

describe('export file names', () => {
  it('keeps the lesson title, without what file systems refuse', () => {
    expect(exportName('勾股定理 8/2', '第1页.png')).toBe('勾股定理 8 2-第1页.png');
    expect(exportName('a:b*c?"d"<e>|f\\g\u0007', 'x.pdf')).toBe('a b c d e f g-x.pdf');
    expect(exportName('  ', 'x.pdf')).toBe('whiteboard-x.pdf');
    expect(exportName('长'.repeat(200), 'x.pdf')).toBe(`${'长'.repeat(80)}-x.pdf`);
  });
});
