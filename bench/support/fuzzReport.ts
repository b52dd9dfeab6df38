/** bench/results/fuzz.{md,json}: what `npm run fuzz` sent, what came back, and what it found. */
import type { Machine } from './report.ts';
import { distribution, logSection } from './report.ts';
import type { LogLine } from './lessonServer.ts';
import type { ConnectionStats } from './fuzzSocketShared.ts';
import type { WatchReport } from './fuzzServer.ts';
import type { Finding } from './fuzzTally.ts';
import { asRecord, FAILING } from './fuzzTally.ts';
import type { Tally } from './fuzzTally.ts';

export interface StoreRun {
  store: 'embedded (SQLite)' | 'Redis';
  /** `parts`: when each campaign (socket, raw frames, HTTP, raw HTTP) was done, from the start of the hostile run. */
  seconds: { setup: number; hostile: number; total: number; parts: Record<string, number> };
  inputs: { socket: number; raw: number; http: number; rawHttp: number; total: number };
  requestsWithAnswerExpected: number;
  schemaInvalidSocketInputs: number;
  serverExited: string | null;
  watch: WatchReport;
  /** The store parts that differ after the hostile run (empty: identical). */
  storeChanged: string[];
  storeParts: string[];
  memoryBounded: boolean;
  connections: ConnectionStats;
  routes: { total: number; withBodySchema: string[]; withQuerySchema: string[] };
  findings: Record<string, number>;
  failing: number;
  firstFindings: Finding[];
  answersByCode: Record<string, number>;
  latencyMs: ReturnType<typeof distribution>;
  socket: {
    inputsByEvent: Record<string, Record<string, number>>;
    inputsByRole: Record<string, Record<string, number>>;
    answers: Record<string, Record<string, number>>;
  };
  raw: Record<string, Record<string, number>>;
  http: {
    inputsByCaller: Record<string, Record<string, number>>;
    answers: Record<string, Record<string, number>>;
  };
  log: LogLine[];
}

export function storeRun(o: {
  store: StoreRun['store'];
  tally: Tally;
  socketEvents: string[];
  inputs: StoreRun['inputs'];
  seconds: StoreRun['seconds'];
  serverExited: string | null;
  watch: WatchReport;
  storeChanged: string[];
  storeParts: string[];
  memoryBounded: boolean;
  connections: ConnectionStats;
  routes: StoreRun['routes'];
  log: LogLine[];
}): StoreRun {
  const t = o.tally;
  const pick = (
    m: Map<string, Map<string, number>>,
    keep: (k: string) => boolean,
  ): Record<string, Record<string, number>> => asRecord(new Map([...m].filter(([k]) => keep(k))));
  const isSocket = (k: string): boolean => o.socketEvents.includes(k);
  const isRaw = (k: string): boolean => k.startsWith('raw: ');
  const isHttp = (k: string): boolean => !isSocket(k) && !isRaw(k) && !k.startsWith('(harness)');
  return {
    store: o.store,
    seconds: o.seconds,
    inputs: o.inputs,
    requestsWithAnswerExpected: t.requests,
    schemaInvalidSocketInputs: t.schemaInvalid,
    serverExited: o.serverExited,
    watch: o.watch,
    storeChanged: o.storeChanged,
    storeParts: o.storeParts,
    memoryBounded: o.memoryBounded,
    connections: o.connections,
    routes: o.routes,
    findings: Object.fromEntries(t.findingCounts),
    failing: t.failing(),
    firstFindings: t.findings,
    answersByCode: t.answersByCode(),
    latencyMs: distribution(t.latencies, 1),
    socket: {
      inputsByEvent: pick(t.inputs, isSocket),
      inputsByRole: pick(t.byRole, isSocket),
      answers: pick(t.answers, isSocket),
    },
    raw: pick(t.answers, isRaw),
    http: { inputsByCaller: pick(t.byRole, isHttp), answers: pick(t.answers, isHttp) },
    log: o.log,
  };
}

const sum = (r: Record<string, number> | undefined): number =>
  Object.values(r ?? {}).reduce((s, n) => s + n, 0);
const top = (r: Record<string, number> | undefined, n = 6): string =>
  Object.entries(r ?? {})
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') + (Object.keys(r ?? {}).length > n ? ', …' : '');
const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
const yes = (ok: boolean): string => (ok ? 'yes' : '**NO**');

export function markdown(o: {
  date: string;
  command: string;
  machine: Machine;
  seed: number;
  requestedInputs: number;
  ackTimeoutMs: number;
  lessons: number;
  runs: StoreRun[];
}): string {
  const m = o.machine;
  const lines: string[] = [
    '# Fuzz: the edge under hostile input',
    '',
    `- ${o.requestedInputs.toLocaleString('en')} inputs per store, derived from the protocol's zod schemas with fast-check (values of the schema's shape, values at and past its bounds, those mutated — wrong types, missing and extra keys, \`__proto__\`/\`constructor\`, huge strings and arrays, nesting thousands deep, odd unicode, NaN/±Infinity/-0 — and garbage), sent to every Socket.IO event by every kind of connection before and after joining, as raw frames, and to every HTTP route by every kind of caller; against the real server process`,
    `- ${o.date}, \`${o.command}\`, ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, load average ${m.loadAverageAtStart} at start; seed **${o.seed}** (replay: \`FUZZ_SEED=${o.seed} ${o.command}\`); ack timeout ${o.ackTimeoutMs / 1000} s; ${o.lessons} live lessons`,
    '',
    '## Result',
    '',
    `| | ${o.runs.map((r) => r.store).join(' | ')} |`,
    `|---|${o.runs.map(() => '---').join('|')}|`,
  ];
  const row = (label: string, f: (r: StoreRun) => string): void =>
    void lines.push(`| ${label} | ${o.runs.map(f).join(' | ')} |`);
  const fc = (r: StoreRun, ...kinds: string[]): number => kinds.reduce((s, k) => s + (r.findings[k] ?? 0), 0);
  row(
    'inputs sent (socket / raw frames / HTTP / raw HTTP)',
    (r) =>
      `${r.inputs.total.toLocaleString('en')} (${r.inputs.socket} / ${r.inputs.raw} / ${r.inputs.http} / ${r.inputs.rawHttp})`,
  );
  row('requests that must be answered', (r) => r.requestsWithAnswerExpected.toLocaleString('en'));
  row('socket inputs the schema refuses', (r) => r.schemaInvalidSocketInputs.toLocaleString('en'));
  row(
    'hostile run',
    (r) =>
      `${r.seconds.hostile} s (${Object.entries(r.seconds.parts)
        .map(([k, v]) => `${k} ${v} s`)
        .join(', ')}; set-up ${r.seconds.setup} s, all ${r.seconds.total} s)`,
  );
  row('**crashes** (server process exited)', (r) =>
    r.serverExited === null ? '**0**' : `**${r.serverExited}**`,
  );
  row('**unanswered acks** (open connection, none within the timeout)', (r) => `**${fc(r, 'unanswered')}**`);
  row('acks sent twice / for no request', (r) => `${fc(r, 'double ack')} / ${fc(r, 'stray ack')}`);
  row('answers not `{ ok, data }` / `{ ok: false, error: { code, message } }`', (r) =>
    String(fc(r, 'malformed answer')),
  );
  row('error codes not in `errorCodes` (socket and HTTP)', (r) =>
    String(fc(r, 'unknown code', 'no error code')),
  );
  row('**HTTP 5xx**', (r) => `**${fc(r, '5xx')}**`);
  row('`internal` answers (a handler failed unexpectedly)', (r) => String(fc(r, 'internal')));
  row('inputs the schema refuses answered other than `bad_request`', (r) =>
    String(fc(r, 'invalid input accepted', 'unexpected code')),
  );
  row('accepted beyond the role (privilege)', (r) => String(fc(r, 'privilege')));
  row('change-making HTTP requests answered 2xx', (r) => String(fc(r, 'accepted hostile input')));
  row('connections closed by the server unexpectedly', (r) => String(fc(r, 'connection closed')));
  row('store unchanged (roster, accounts, lessons, courseware)', (r) =>
    r.storeChanged.length === 0
      ? `yes (${r.storeParts.length} parts identical)`
      : `**NO: ${r.storeChanged.join(', ')}**`,
  );
  row(
    '/healthz polls (failed, slowest)',
    (r) => `${r.watch.health.polls} (${r.watch.health.failed} failed, ${r.watch.health.maxMs} ms)`,
  );
  row(
    'unhandled rejections (healthz, first → last)',
    (r) => `${r.watch.unhandledRejections.first ?? '?'} → ${r.watch.unhandledRejections.last ?? '?'}`,
  );
  row(
    'server RSS start / peak / plateau / end',
    (r) =>
      `${r.watch.rss.startMiB} / ${r.watch.rss.peakMiB} / ${r.watch.rss.plateauMiB} / ${r.watch.rss.endMiB} MiB`,
  );
  row('memory back near its plateau', (r) => yes(r.memoryBounded));
  row(
    'mediasoup workers RSS start / peak / end',
    (r) =>
      `${r.watch.workersRssMiB.start} / ${r.watch.workersRssMiB.peak} / ${r.watch.workersRssMiB.end} MiB`,
  );
  row(
    'answer latency p50 / p95 / p99 / max',
    (r) => `${r.latencyMs.p50} / ${r.latencyMs.p95} / ${r.latencyMs.p99} / ${r.latencyMs.max} ms`,
  );
  row('**failing findings**', (r) => `**${r.failing}**`);
  lines.push('');
  lines.push(
    'Plateau: the median RSS over the second half of the hostile run; end: after 15 s without input. The process must stay up, answer /healthz throughout, answer every request that asks for an ack exactly once with a code from `errorCodes`, answer HTTP under 500, and leave the store as it found it (the hostile run has only inputs that must be refused wherever they could change it; the accepted actions before it — roster, accounts, lessons, joins, one question, quiz and board object per lesson — are the set-up).',
    '',
  );
  for (const r of o.runs) {
    const kinds = Object.entries(r.findings).sort((a, b) => b[1] - a[1]);
    lines.push(`## Findings: ${r.store}`, '');
    if (kinds.length === 0) lines.push('None.', '');
    else {
      lines.push('| kind | count | fails the run |', '|---|---|---|');
      for (const [k, n] of kinds) lines.push(`| ${k} | ${n} | ${FAILING.has(k) ? 'yes' : 'no'} |`);
      lines.push('', '| kind | where | detail | input | replay |', '|---|---|---|---|---|');
      for (const f of r.firstFindings.slice(0, 30))
        lines.push(
          `| ${f.kind} | ${cell(f.where)} | ${cell(f.detail.slice(0, 160))} | \`${cell(f.input.slice(0, 160))}\` | ${cell(f.replay)} |`,
        );
      lines.push('');
    }
  }
  const first = o.runs[0];
  if (first) {
    lines.push(
      `## Socket events (${first.store})`,
      '',
      "Inputs by how they were made (`shaped`: the schema's shape; `edge`: at or past its bounds; `mutated`; `garbage`; the rest: malformed calls — no ack, a non-function ack, two payloads, none, binary) and by connection; answers by code.",
      '',
      '| event | inputs | made | connections (not joined: anonymous, host, classroom, observer, forged; joined: host, classroom, observer) | answers |',
      '|---|---|---|---|---|',
    );
    for (const [event, made] of Object.entries(first.socket.inputsByEvent)) {
      const roles = first.socket.inputsByRole[event] ?? {};
      const order = [
        'anonymous:before',
        'host:before',
        'classroom:before',
        'observer:before',
        'forged:before',
        'host:after',
        'classroom:after',
        'observer:after',
      ];
      lines.push(
        `| \`${cell(event)}\` | ${sum(made)} | ${top(made, 10)} | ${order.map((k) => roles[k] ?? 0).join(' / ')} | ${top(first.socket.answers[event], 8)} |`,
      );
    }
    lines.push(
      '',
      `## Raw frames (${first.store})`,
      '',
      'Each frame is followed by a valid request on the same connection: it must be answered unless the frame closed the connection.',
      '',
      '| frame | sent | outcomes |',
      '|---|---|---|',
    );
    for (const [kind, outcomes] of Object.entries(first.raw))
      lines.push(`| ${cell(kind.slice(5))} | ${sum(outcomes)} | ${top(outcomes, 6)} |`);
    lines.push(
      '',
      `## HTTP routes (${first.store})`,
      '',
      `${first.routes.total} routes found in signaling/src; request bodies from their schema for ${first.routes.withBodySchema.length} (${first.routes.withBodySchema.map((k) => `\`${k}\``).join(', ')}), queries for ${first.routes.withQuerySchema.length}; the others get bad JSON, wrong types and bodies where none belongs.`,
      '',
      '| route | requests | callers | statuses |',
      '|---|---|---|---|',
    );
    for (const [route, answers] of Object.entries(first.http.answers))
      lines.push(
        `| \`${cell(route)}\` | ${sum(answers)} | ${top(first.http.inputsByCaller[route], 7)} | ${top(answers, 8)} |`,
      );
    lines.push(
      '',
      '## Connections',
      '',
      ...o.runs.map(
        (r) =>
          `- ${r.store}: ${r.connections.connections} WebSocket connections (${r.connections.reconnects} reconnections, ${r.connections.connectFailures} failed attempts); closed by: ${top(r.connections.closedBy, 8) || 'nothing'}; requests cut by a close: ${top(r.connections.cut, 6) || 'none'}; ${r.connections.oversizeSent} oversize messages (over 64 KiB: the server closes the connection, as configured); ${r.connections.joinsAccepted} hostile-run joins accepted (a connection that had not joined sent a valid join, then started again); ${r.connections.late} acks late (after the timeout)${r.connections.gaveUp.length > 0 ? `; could not join again and stopped: ${r.connections.gaveUp.join(', ')}` : ''}.`,
      ),
      '',
    );
  }
  for (const r of o.runs) {
    lines.push(...logSection(r.log).map((l) => (l.startsWith('## ') ? `${l} (${r.store})` : l)));
  }
  lines.push(
    '## What this does not cover',
    '',
    '- Prototype pollution is sent (`__proto__`, `constructor.prototype` in payloads, bodies and queries) and must be refused or ignored, but a polluted `Object.prototype` inside the server would only show through its effects: nothing reads the process from inside.',
    '- Media: transports are created and connected with fuzzed parameters, but no RTP flows; producers with fuzzed RTP parameters reach the media worker only as far as mediasoup accepts them.',
    '- One node. A cluster (node-to-node messages over Redis) is not fuzzed here.',
    '',
  );
  return lines.join('\n');
}
