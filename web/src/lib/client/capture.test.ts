import { describe, expect, it } from 'vitest';
import { captureProblem } from './capture.ts';

describe('captureProblem', () => {
  it('names what the teacher can do about a getUserMedia failure', () => {
    const cases: [string, string][] = [
      ['NotAllowedError', 'denied'],
      ['SecurityError', 'denied'],
      ['NotFoundError', 'not-found'],
      ['NotReadableError', 'busy'],
      ['AbortError', 'busy'],
      ['OverconstrainedError', 'bad-device'],
      ['TypeError', 'unknown'],
    ];
    for (const [name, problem] of cases) {
      expect(captureProblem(new DOMException('x', name)), name).toBe(problem);
    }
  });

  it('copes with values that are not errors', () => {
    expect(captureProblem('no')).toBe('unknown');
    expect(captureProblem(undefined)).toBe('unknown');
  });
});
