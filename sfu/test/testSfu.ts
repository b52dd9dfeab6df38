/**
 * A real Sfu for tests, this package's and the ones that build on it (`@cloudschool/sfu/testing`): loopback
 * addresses, free ports, quiet logs. Closing it is the caller's.
 */
import { pino } from 'pino';
import { freePortRange } from '@cloudschool/testkit';
import { Sfu } from '../src/index.ts';
import type { SfuLogger, SfuOptions } from '../src/index.ts';

export interface TestSfuOptions {
  /** One more worker that only receives (SfuOptions.ingestWorker). */
  ingestWorker?: boolean;
  /** Silent unless given. */
  logger?: SfuLogger;
  /** ICE over TCP on the workers' ports too (SfuOptions.iceTcp); on unless given. */
  iceTcp?: boolean;
}

/** A node's options on free ports: `workerCount` forwarding workers (and one ingest worker if asked). */
export async function sfuOptions(
  workerCount: number,
  { ingestWorker = false, logger = pino({ level: 'silent' }), iceTcp = true }: TestSfuOptions = {},
): Promise<SfuOptions> {
  return {
    workerCount,
    ingestWorker,
    listenIp: '127.0.0.1',
    announcedAddress: '127.0.0.1',
    rtcPortBase: await freePortRange(workerCount + (ingestWorker ? 1 : 0)),
    iceTcp,
    plainPortRange: { min: 42000, max: 43999 },
    keyFrameRequestDelayMs: 1000,
    logLevel: 'warn',
    logger,
  };
}

/** An Sfu on `sfuOptions`. */
export async function testSfu(workerCount = 1, options: TestSfuOptions = {}): Promise<Sfu> {
  return Sfu.create(await sfuOptions(workerCount, options));
}
