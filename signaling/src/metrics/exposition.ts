/**
 * The Prometheus text exposition format (version 0.0.4), written by hand: a node exposes a few dozen gauges and
 * counters, collected when scraped, and this is all it takes (https://prometheus.io/docs/instrumenting/exposition_formats/).
 */

export type MetricType = 'gauge' | 'counter';

export interface Sample {
  labels?: Readonly<Record<string, string>>;
  value: number;
}

export interface Family {
  /** `[a-zA-Z_:][a-zA-Z0-9_:]*`; a counter's name ends in `_total`. */
  name: string;
  help: string;
  type: MetricType;
  samples: readonly Sample[];
}

/** The content type scrapers expect for this format. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class MetricNameError extends Error {
  override name = 'MetricNameError';
}

/** HELP text escapes backslash and newline; label values also the double quote. */
const escapeHelp = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (text: string): string =>
  text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  for (const [name] of entries) {
    if (!LABEL_NAME.test(name) || name.startsWith('__'))
      throw new MetricNameError(`bad label name "${name}"`);
  }
  return `{${entries.map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(',')}}`;
}

/** The families as one exposition (each family's HELP, TYPE, then its samples), ending in a newline. */
export function exposition(families: readonly Family[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new MetricNameError(`bad metric name "${f.name}"`);
    if (f.type === 'counter' && !f.name.endsWith('_total')) {
      throw new MetricNameError(`counter "${f.name}" must end in _total`);
    }
    if (seen.has(f.name)) throw new MetricNameError(`metric "${f.name}" exposed twice`);
    seen.add(f.name);
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(`${f.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
  }
  return `${lines.join('\n')}\n`;
}
