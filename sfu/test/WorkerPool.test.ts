import * as mediasoup from 'mediasoup';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidStateError, WorkerPool } from '../src/index.ts';
import type { SfuLogger, WorkerSlot } from '../src/index.ts';
import { DEATH_SETTLE_MS } from '../src/WorkerPool.ts';
import { onTeardown, teardown } from './support.ts';
import { sfuOptions } from './testSfu.ts';

afterEach(teardown);

async function createPool(
  workerCount: number,
  ingestWorker = false,
  logger?: SfuLogger,
): Promise<WorkerPool> {
  const pool = await WorkerPool.create(await sfuOptions(workerCount, { ingestWorker, logger }));
  onTeardown(() => pool.close());
  return pool;
}

/** A logger that keeps each line's level and message. */
function recordingLogger(): SfuLogger & { lines: { level: string; msg: string | undefined }[] } {
  const lines: { level: string; msg: string | undefined }[] = [];
  const at =
    (level: string) =>
    (_obj: object, msg?: string): void => {
      lines.push({ level, msg });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** What the pool reported, in order. */
function poolEvents(pool: WorkerPool): string[] {
  const events: string[] = [];
  for (const name of ['workerdied', 'workerreplaced', 'workerfailed'] as const) {
    pool.on(name, () => events.push(name));
  }
  return events;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const udpPort = async (slot: WorkerSlot): Promise<number | undefined> =>
  (await slot.webRtcServer.dump()).udpSockets[0]?.port;

describe('WorkerPool', () => {
  it('starts one worker per slot, the ingest worker last, each on its own port', async () => {
    const pool = await createPool(2, true);
    const slots = pool.slots;
    expect(slots.map((s) => [s.index, s.ingest])).toEqual([
      [0, false],
      [1, false],
      [2, true],
    ]);
    expect(pool.ingest).toBe(slots[2]);
    const ports = await Promise.all(slots.map(udpPort));
    const base = ports[0]!;
    expect(ports).toEqual([base, base + 1, base + 2]);
  });

  it('answers the forwarding worker with the fewest peers, then a preferred one, then the fewest routers', async () => {
    const pool = await createPool(3, true);
    const [a, b, c] = pool.slots as [WorkerSlot, WorkerSlot, WorkerSlot];
    a.peers = 2;
    b.peers = 1;
    c.peers = 1;
    c.routers = 1;
    // The ingest worker has no peers but never takes a receiver.
    expect(await pool.leastLoaded()).toBe(b);
    expect(await pool.leastLoaded((s) => s === c)).toBe(c);
    b.routers = 2;
    expect(await pool.leastLoaded()).toBe(c);
  });

  // SIGKILL: a crash. SIGTERM: the worker closes itself and exits 0, as on a shutdown; the pool stays open, so
  // it is a death all the same.
  it.each(['SIGKILL', 'SIGTERM'] as const)(
    'replaces a worker stopped by %s in its slot, on the same port',
    async (signal) => {
      const logger = recordingLogger();
      const pool = await createPool(2, false, logger);
      const slot = pool.slots[1]!;
      const port = await udpPort(slot);
      const died = new Promise<{ index: number; pid: number }>((resolve) => pool.once('workerdied', resolve));
      const replaced = new Promise<{ index: number; pid: number }>((resolve) =>
        pool.once('workerreplaced', resolve),
      );
      process.kill(slot.worker.pid, signal);
      expect(await died).toMatchObject({ index: 1, pid: slot.worker.pid });
      expect(logger.lines).toContainEqual({ level: 'error', msg: 'mediasoup worker died' });
      const { index, pid } = await replaced;
      expect(index).toBe(1);
      expect(pid).not.toBe(slot.worker.pid);
      const next = pool.slots[1]!;
      expect(next.worker.pid).toBe(pid);
      expect(await udpPort(next)).toBe(port);
    },
  );

  it('neither reports nor replaces workers that exit on the signal that stops the node, closed just after', async () => {
    const logger = recordingLogger();
    const pool = await createPool(2, true, logger);
    const events = poolEvents(pool);
    let started = 0;
    const count = (): void => void started++;
    mediasoup.observer.on('newworker', count);
    onTeardown(() => mediasoup.observer.off('newworker', count));
    const workers = pool.slots.map((s) => s.worker);
    // Ctrl-C: the same SIGINT reaches every worker and the node; here the node's handler runs late, after a
    // worker's exit was seen.
    const firstExit = new Promise<void>((resolve) => workers.forEach((w) => w.once('died', () => resolve())));
    for (const w of workers) process.kill(w.pid, 'SIGINT');
    await firstExit;
    expect(pool.slots.length).toBeLessThan(3);
    pool.close();
    await sleep(DEATH_SETTLE_MS + 250);
    expect(events).toEqual([]);
    expect(started).toBe(0);
    expect(logger.lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
    expect(pool.slots).toEqual([]);
    await expect(pool.leastLoaded()).rejects.toBeInstanceOf(InvalidStateError);
  });

  it('makes a caller wait while every forwarding worker is being replaced', async () => {
    const pool = await createPool(1);
    const first = pool.slots[0]!;
    const waiting = new Promise<WorkerSlot>((resolve, reject) =>
      // Asked at the moment the slot is empty.
      pool.once('workerdied', () => pool.leastLoaded().then(resolve, reject)),
    );
    process.kill(first.worker.pid, 'SIGKILL');
    const slot = await waiting;
    expect(slot.index).toBe(0);
    expect(slot.worker.pid).not.toBe(first.worker.pid);
  });

  it('closes every worker once; callers then fail, a waiting one too, and a worker being started is closed', async () => {
    const pool = await createPool(1, true);
    const workers = pool.slots.map((s) => s.worker);
    const waiting = new Promise<unknown>((resolve) =>
      pool.once('workerdied', () => {
        const asked = pool.leastLoaded();
        // The replacement is being started now: closing the pool must not leave it running (teardown waits).
        pool.close();
        resolve(asked.catch((error: unknown) => error));
      }),
    );
    process.kill(workers[0]!.pid, 'SIGKILL');
    expect(await waiting).toBeInstanceOf(InvalidStateError);
    pool.close();
    expect(pool.closed).toBe(true);
    expect(pool.slots).toEqual([]);
    expect(workers.every((w) => w.closed)).toBe(true);
    await expect(pool.leastLoaded()).rejects.toBeInstanceOf(InvalidStateError);
  });
});
