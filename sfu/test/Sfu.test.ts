import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Sfu } from '../src/index.ts';
import { freePortRange } from '@cloudschool/testkit';

let sfu: Sfu | undefined;
afterEach(() => sfu?.close());

const create = async (workerCount: number): Promise<Sfu> =>
  Sfu.create({
    workerCount,
    listenIp: '127.0.0.1',
    announcedAddress: '127.0.0.1',
    rtcPortBase: await freePortRange(workerCount),
    plainPortRange: { min: 42000, max: 43999 },
    keyFrameRequestDelayMs: 1000,
    logLevel: 'warn',
    logger: pino({ level: 'silent' }),
  });

describe('Sfu', () => {
  it('creates one room per id even when asked concurrently', async () => {
    sfu = await create(1);
    const [a, b] = await Promise.all([sfu.room('r1'), sfu.room('r1')]);
    expect(a).toBe(b);
    expect(a.rtpCapabilities.codecs?.map((c) => c.mimeType)).toEqual(
      expect.arrayContaining(['audio/opus', 'video/VP8', 'video/H264']),
    );
  });

  it('places rooms on the least-loaded worker and forgets closed rooms', async () => {
    sfu = await create(2);
    const r1 = await sfu.room('r1');
    const r2 = await sfu.room('r2');
    expect(r1.workerPid).not.toBe(r2.workerPid);
    r1.close();
    const again = await sfu.room('r1');
    expect(again).not.toBe(r1);
    expect(r1.closed).toBe(true);
  });

  it('closes the rooms of a dead worker and replaces the worker on the same port', async () => {
    sfu = await create(1);
    const room = await sfu.room('r1');
    const transport = await room.peer('p1').createWebRtcTransport('recv');
    const port = transport.iceCandidates[0]?.port;
    const closed = new Promise<string>((resolve) => room.once('close', resolve));
    const replaced = new Promise<number>((resolve) => sfu!.once('workerreplaced', ({ pid }) => resolve(pid)));
    process.kill(room.workerPid, 'SIGKILL');
    expect(await closed).toBe('worker-died');
    const pid = await replaced;
    const next = await sfu.room('r1');
    expect(next.workerPid).toBe(pid);
    expect((await next.peer('p1').createWebRtcTransport('recv')).iceCandidates[0]?.port).toBe(port);
  });
});
