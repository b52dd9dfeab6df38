import { describe, expect, it } from 'vitest';
import { durationText, sizeText } from './recordingText.ts';

describe('recording text', () => {
  it('writes a length as m:ss, and h:mm:ss from an hour on', () => {
    expect(durationText(0)).toBe('0:00');
    expect(durationText(65_400)).toBe('1:05');
    expect(durationText(3_723_000)).toBe('1:02:03');
  });

  it('writes a size in KB, MB or GB', () => {
    expect(sizeText(0)).toBe('0 KB');
    expect(sizeText(300)).toBe('1 KB');
    expect(sizeText(1_500_000)).toBe('2 MB');
    expect(sizeText(750_000_000)).toBe('750 MB');
    expect(sizeText(1_430_000_000)).toBe('1.4 GB');
  });
});
