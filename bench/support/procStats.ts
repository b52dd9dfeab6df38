/**
 * CPU and memory of processes from /proc (Linux): the benchmarks measure the media workers, the server,
 * the browser and themselves over the same window, and name whatever else was busy on the machine,
 * since on a shared 2-core box the other tenants change the result.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

export interface ProcessSample {
  pid: number;
  ppid: number;
  /** The kernel's short name (at most 15 characters). */
  name: string;
  /** utime + stime, in seconds. */
  cpuSeconds: number;
}

function readProcess(pid: number): ProcessSample | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited meanwhile
  }
  // The name may hold spaces and parentheses: the fields that follow start after the last ')'.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return {
    pid,
    ppid: Number(fields[1]),
    name: stat.slice(stat.indexOf('(') + 1, close),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND,
  };
}

export function listProcesses(): ProcessSample[] {
  const found: ProcessSample[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const p = readProcess(Number(entry));
    if (p) found.push(p);
  }
  return found;
}

/** A process and all its descendants, from one listing. */
export function processTree(rootPid: number, processes = listProcesses()): number[] {
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) {
    for (const p of processes) if (p.ppid === tree[i]) tree.push(p.pid);
  }
  return tree;
}

/** The mediasoup workers a server process spawned (the kernel cuts the name to "mediasoup-worke"). */
export function mediasoupWorkerPids(serverPid: number): number[] {
  return listProcesses()
    .filter((p) => p.ppid === serverPid && p.name.startsWith('mediasoup-work'))
    .map((p) => p.pid);
}

/** The file a process runs (null if it is gone or not ours to read). */
export function executable(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

/** Resident memory in MiB (0 for a process that is gone). */
export function rssMiB(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round((Number(kb) / 1024) * 10) / 10 : 0;
  } catch {
    return 0;
  }
}

/** Datagrams the kernel dropped on these local UDP ports because their receive buffer was full. */
export function udpDrops(ports: number[]): number {
  const wanted = new Set(ports);
  let drops = 0;
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const port = parseInt(cols[1]?.split(':')[1] ?? '', 16);
    if (wanted.has(port)) drops += Number(cols.at(-1));
  }
  return drops;
}

export interface CpuGroup {
  name: string;
  pids: number[];
}

/**
 * The groups a media benchmark reports, taken when a window closes: each measured mediasoup worker, the
 * server process, the server's workers that are not the ones measured (while the bare router is measured
 * the server still relays the host), this harness, and Chromium (what else this harness started).
 */
export function mediaCpuGroups(o: { workerPids: number[]; serverPid: number }): CpuGroup[] {
  const processes = listProcesses();
  const measured = new Set(o.workerPids);
  const server = new Set(processTree(o.serverPid, processes));
  const serverWorkers = [...server].filter((pid) => pid !== o.serverPid && !measured.has(pid));
  return [
    ...o.workerPids.map((pid, i) => ({ name: `mediasoup worker ${i + 1}`, pids: [pid] })),
    { name: 'server (node)', pids: [o.serverPid] },
    ...(serverWorkers.length ? [{ name: "server's workers (not measured)", pids: serverWorkers }] : []),
    { name: 'harness (this process)', pids: [process.pid] },
    {
      name: 'chromium',
      pids: processTree(process.pid, processes).filter(
        (pid) => pid !== process.pid && !server.has(pid) && !measured.has(pid),
      ),
    },
  ];
}

/** The CPU of a report's mediasoup worker groups together, % of one core. */
export function workersCpuPercent(report: CpuReport): number {
  const sum = Object.entries(report.groups)
    .filter(([name]) => name.startsWith('mediasoup worker'))
    .reduce((s, [, percent]) => s + percent, 0);
  return Math.round(sum * 10) / 10;
}

export interface CpuReport {
  seconds: number;
  /** Each named group's CPU over the window, in % of one core. */
  groups: Record<string, number>;
  /** The busiest other processes by name, % of one core, and all others together. */
  others: { name: string; percent: number }[];
  othersTotal: number;
}

const percent = (cpuSeconds: number, seconds: number): number =>
  Math.round((1000 * cpuSeconds) / seconds) / 10;

/** CPU of every process between start() and stop(), the named groups apart from everything else. */
export class CpuWindow {
  readonly #start = new Map<number, ProcessSample>();
  #t0 = 0;

  start(): void {
    this.#start.clear();
    for (const p of listProcesses()) this.#start.set(p.pid, p);
    this.#t0 = performance.now();
  }

  stop(groups: CpuGroup[]): CpuReport {
    const seconds = (performance.now() - this.#t0) / 1000;
    const used = new Map<number, { name: string; cpu: number }>();
    for (const p of listProcesses()) {
      // A process born during the window counts from zero.
      const before = this.#start.get(p.pid)?.cpuSeconds ?? 0;
      used.set(p.pid, { name: p.name, cpu: Math.max(0, p.cpuSeconds - before) });
    }
    const grouped = new Set<number>();
    const report: CpuReport = {
      seconds: Math.round(seconds * 10) / 10,
      groups: {},
      others: [],
      othersTotal: 0,
    };
    for (const g of groups) {
      let cpu = 0;
      for (const pid of g.pids) {
        if (grouped.has(pid)) continue;
        grouped.add(pid);
        cpu += used.get(pid)?.cpu ?? 0;
      }
      report.groups[g.name] = percent(cpu, seconds);
    }
    const byName = new Map<string, number>();
    let othersCpu = 0;
    for (const [pid, u] of used) {
      if (grouped.has(pid)) continue;
      othersCpu += u.cpu;
      byName.set(u.name, (byName.get(u.name) ?? 0) + u.cpu);
    }
    report.othersTotal = percent(othersCpu, seconds);
    report.others = [...byName]
      .map(([name, cpu]) => ({ name, percent: percent(cpu, seconds) }))
      .filter((o) => o.percent >= 1)
      .sort((a, b) => b.percent - a.percent)
      .slice(0, 6);
    return report;
  }
}
