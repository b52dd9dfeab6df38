/**
 * CloudSchool nodes on this machine sharing one Redis, as `npm run cluster` starts them (infra/cluster.ts), but
 * each node a child of this process that the caller may SIGKILL and start again on the same address: the
 * launcher stops the whole cluster when one node dies, which is what `npm run chaos` needs to avoid. Each node
 * serves the built UI, logs JSON lines to a file of its own (kept across a restart) and has its own HTTP,
 * WebRTC and plain/pipe ports; all share the data directory and the Redis.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePortRange, kill9, ROOT, serverEnv, waitForHealth } from '@cloudschool/testkit';
import { summarizeLog } from './lessonServer.ts';
import type { LogLine } from './lessonServer.ts';
import { mediasoupWorkerPids } from './procStats.ts';

/** Plain and pipe transports per node: pipes to the other nodes and between its workers. */
const PLAIN_PORTS_PER_NODE = 200;

export interface ClusterNode {
  /** 1-based, as `npm run cluster` names them: node-1 … */
  index: number;
  id: string;
  url: string;
  env: NodeJS.ProcessEnv;
  /** The running process's pid (null while stopped). */
  pid(): number | null;
  /** The node's mediasoup workers now. */
  workerPids(): number[];
  /** SIGKILL, no goodbye: its registry record expires on its own. */
  kill9(): Promise<void>;
  /** Starts it again with the same environment (same id, address and ports); resolves when /healthz answers. */
  start(): Promise<void>;
  /** Null while it runs; else its exit code or the signal that ended it. */
  exitCode(): number | string | null;
  logSummary(): LogLine[];
}

export interface Cluster {
  nodes: ClusterNode[];
  dataDir: string;
  /** Every pid this cluster ran: nodes and their mediasoup workers, for a last check that none outlives the run. */
  pidsSeen(): number[];
  /** SIGKILLs every node still running and removes the data directory. */
  stop(): Promise<void>;
}

export async function startCluster(o: {
  nodes: number;
  redisUrl: string;
  mediaWorkers: number;
  webHandler: string;
  /** Run once with the first node's environment before any node starts (e.g. create the first account). */
  seed?: (env: NodeJS.ProcessEnv) => Promise<void>;
}): Promise<Cluster> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-chaos-cluster-'));
  const seen = new Set<number>();
  const nodes: ClusterNode[] = [];
  const stop = async (): Promise<void> => {
    for (const node of nodes) if (node.exitCode() === null) await node.kill9();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (let index = 1; index <= o.nodes; index++) {
      const plainMin = await freePortRange(PLAIN_PORTS_PER_NODE);
      const env = await serverEnv({
        REDIS_URL: o.redisUrl,
        NODE_ID: `node-${index}`,
        DATA_DIR: dataDir,
        WEB_HANDLER: o.webHandler,
        MEDIA_WORKERS: String(o.mediaWorkers),
        MEDIA_INGEST_WORKER: '1',
        MEDIA_PLAIN_PORT_MIN: String(plainMin),
        MEDIA_PLAIN_PORT_MAX: String(plainMin + PLAIN_PORTS_PER_NODE - 1),
      });
      env.NODE_URL = `http://127.0.0.1:${env.PORT}`;
      if (index === 1) await o.seed?.(env);
      const node = clusterNode(index, env, path.join(dataDir, `node-${index}.log`), seen);
      nodes.push(node);
      await node.start();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, dataDir, pidsSeen: () => [...seen], stop };
}

function clusterNode(index: number, env: NodeJS.ProcessEnv, logFile: string, seen: Set<number>): ClusterNode {
  let child: ChildProcess | null = null;
  let tail = '';
  const url = `http://127.0.0.1:${env.PORT}`;
  const exitCode = (): number | string | null =>
    child === null ? 'not started' : (child.exitCode ?? child.signalCode);
  const workerPids = (): number[] => {
    if (child?.pid === undefined || exitCode() !== null) return [];
    const pids = mediasoupWorkerPids(child.pid);
    for (const pid of pids) seen.add(pid);
    return pids;
  };
  return {
    index,
    id: String(env.NODE_ID),
    url,
    env,
    pid: () => (child && exitCode() === null ? (child.pid ?? null) : null),
    workerPids,
    exitCode,
    async kill9() {
      if (child && exitCode() === null) await kill9(child);
    },
    async start() {
      if (child && exitCode() === null) throw new Error(`node-${index} is running`);
      appendFileSync(logFile, '');
      const fd = openSync(logFile, 'a');
      const started = spawn(process.execPath, ['signaling/src/main.ts'], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', fd, 'pipe'],
      });
      closeSync(fd);
      child = started;
      if (started.pid !== undefined) seen.add(started.pid);
      started.stderr?.on('data', (chunk: Buffer) => {
        tail = (tail + chunk.toString()).slice(-4096);
      });
      try {
        await waitForHealth(url, exitCode, 30_000);
      } catch (error) {
        throw new Error(`node-${index}: ${error instanceof Error ? error.message : String(error)}\n${tail}`, {
          cause: error,
        });
      }
      workerPids();
    },
    logSummary: () => summarizeLog(readFileSync(logFile, 'utf8')),
  };
}
