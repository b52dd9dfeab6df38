/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: every sample must belong to a
 * family declared by one HELP and one TYPE line before it, names and labels must be well formed, label values
 * correctly escaped, values numbers, and no series may appear twice. Anything else throws.
 */

export interface ParsedFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: { labels: Record<string, string>; value: number }[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const HELP_LINE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE_LINE = new RegExp(`^(${NAME})(\\{.*\\})? (\\S+)$`);

export class ExpositionError extends Error {
  override name = 'ExpositionError';
}

function unescape(text: string, quotes: boolean, line: number): string {
  return text.replace(/\\(.)/g, (_m, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && quotes) return '"';
    throw new ExpositionError(`line ${line}: bad escape \\${c}`);
  });
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  const body = text.slice(1, -1);
  const pair = new RegExp(`^(${LABEL})="((?:[^"\\\\\\n]|\\\\.)*)"(,|$)`);
  let rest = body;
  while (rest.length > 0) {
    const m = pair.exec(rest);
    if (!m) throw new ExpositionError(`line ${line}: bad labels ${text}`);
    const [whole, name = '', value = ''] = m;
    if (name in labels) throw new ExpositionError(`line ${line}: label ${name} twice`);
    labels[name] = unescape(value, true, line);
    rest = rest.slice(whole.length);
    if (m[3] === ',' && rest.length === 0) throw new ExpositionError(`line ${line}: trailing comma`);
  }
  return labels;
}

function parseValue(text: string, line: number): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
    throw new ExpositionError(`line ${line}: bad value ${text}`);
  }
  return Number(text);
}

export function parseExposition(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith('\n')) throw new ExpositionError('the exposition must end with a newline');
  const families = new Map<string, ParsedFamily>();
  const series = new Set<string>();
  const helps = new Map<string, string>();
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    const help = HELP_LINE.exec(raw);
    if (help) {
      const [, name = '', doc = ''] = help;
      if (helps.has(name) || families.has(name))
        throw new ExpositionError(`line ${line}: HELP ${name} twice`);
      helps.set(name, unescape(doc, false, line));
      return;
    }
    const type = TYPE_LINE.exec(raw);
    if (type) {
      const [, name = '', kind = ''] = type;
      if (families.has(name)) throw new ExpositionError(`line ${line}: TYPE ${name} twice`);
      const doc = helps.get(name);
      if (doc === undefined) throw new ExpositionError(`line ${line}: TYPE ${name} without HELP before it`);
      families.set(name, { name, help: doc, type: kind as ParsedFamily['type'], samples: [] });
      return;
    }
    if (raw.startsWith('#')) throw new ExpositionError(`line ${line}: unexpected comment ${raw}`);
    const sample = SAMPLE_LINE.exec(raw);
    if (!sample) throw new ExpositionError(`line ${line}: not a sample: ${raw}`);
    const [, name = '', labelText, valueText = ''] = sample;
    const family = families.get(name);
    if (!family) throw new ExpositionError(`line ${line}: sample of ${name} before its TYPE`);
    if (family.type === 'counter' && !name.endsWith('_total')) {
      throw new ExpositionError(`line ${line}: counter ${name} does not end in _total`);
    }
    const labels = labelText ? parseLabels(labelText, line) : {};
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new ExpositionError(`line ${line}: series ${key} twice`);
    series.add(key);
    family.samples.push({ labels, value: parseValue(valueText, line) });
  });
  for (const name of helps.keys()) {
    if (!families.has(name)) throw new ExpositionError(`HELP ${name} without a TYPE`);
  }
  return families;
}

/** The one sample of `name` whose labels include `labels`; throws if there is none or more than one. */
export function sampleValue(
  families: Map<string, ParsedFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const family = families.get(name);
  if (!family) throw new Error(`no metric ${name}`);
  const found = family.samples.filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0]!.value;
}

/** The sum of every sample of `name` (0 when it has none). */
export function sumOf(families: Map<string, ParsedFamily>, name: string): number {
  const family = families.get(name);
  if (!family) throw new Error(`no metric ${name}`);
  return family.samples.reduce((sum, s) => sum + s.value, 0);
}
