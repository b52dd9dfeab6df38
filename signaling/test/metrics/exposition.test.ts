import { describe, expect, it } from 'vitest';
import { exposition, MetricNameError } from '../../src/metrics/exposition.ts';
import { ExpositionError, parseExposition, sampleValue } from '../support/exposition.ts';

describe('the Prometheus text exposition', () => {
  it('writes HELP, TYPE and samples that read back, label values and help escaped', () => {
    const text = exposition([
      {
        name: 'cs_things',
        help: 'Things \\ with a\nnewline',
        type: 'gauge',
        samples: [
          { labels: { kind: 'a "quoted" \\ value\n' }, value: 3 },
          { labels: { kind: '教室' }, value: 0.25 },
        ],
      },
      { name: 'cs_events_total', help: 'Events', type: 'counter', samples: [{ value: 7 }] },
      { name: 'cs_empty', help: 'None yet', type: 'gauge', samples: [] },
      { name: 'cs_odd', help: 'Odd', type: 'gauge', samples: [{ value: Infinity }] },
    ]);
    expect(text).toContain('cs_things{kind="a \\"quoted\\" \\\\ value\\n"} 3\n');
    expect(text).toContain('# HELP cs_things Things \\\\ with a\\nnewline\n');
    const families = parseExposition(text);
    expect(families.get('cs_things')?.help).toBe('Things \\ with a\nnewline');
    expect(sampleValue(families, 'cs_things', { kind: 'a "quoted" \\ value\n' })).toBe(3);
    expect(sampleValue(families, 'cs_things', { kind: '教室' })).toBe(0.25);
    expect(sampleValue(families, 'cs_events_total')).toBe(7);
    expect(families.get('cs_empty')?.samples).toEqual([]);
    expect(sampleValue(families, 'cs_odd')).toBe(Infinity);
  });

  it('refuses bad names, a counter without _total and a family twice', () => {
    const g = (name: string) => ({ name, help: 'h', type: 'gauge' as const, samples: [] });
    expect(() => exposition([g('1bad')])).toThrow(MetricNameError);
    expect(() => exposition([g('ok'), g('ok')])).toThrow(MetricNameError);
    expect(() => exposition([{ ...g('events'), type: 'counter' }])).toThrow(MetricNameError);
    expect(() => exposition([{ ...g('ok'), samples: [{ labels: { 'bad-label': 'x' }, value: 1 }] }])).toThrow(
      MetricNameError,
    );
  });

  it('has a reader that refuses what Prometheus would', () => {
    const ok = '# HELP a A\n# TYPE a gauge\na 1\n';
    expect(sampleValue(parseExposition(ok), 'a')).toBe(1);
    const bad = [
      'a 1\n', // no HELP/TYPE
      '# HELP a A\n# TYPE a gauge\na 1', // no final newline
      '# HELP a A\n# TYPE a gauge\na one\n', // not a number
      '# HELP a A\n# TYPE a gauge\na 1\na 2\n', // a series twice
      '# HELP a A\n# TYPE a gauge\na{x="1",} 1\n', // trailing comma
      '# HELP a A\n# TYPE a gauge\na{x="\\t"} 1\n', // bad escape
      '# HELP a A\n# TYPE a counter\na 1\n', // counter without _total
      '# HELP a A\n', // HELP without TYPE
    ];
    for (const text of bad)
      expect(() => parseExposition(text), JSON.stringify(text)).toThrow(ExpositionError);
  });
});
