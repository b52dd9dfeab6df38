import { afterEach, describe, expect, it } from 'vitest';
import { InvalidStateError } from '../src/index.ts';
import type { MediaRoomCloseReason } from '../src/index.ts';
import { createSfu, onTeardown, teardown } from './support.ts';
import { testSfu } from './testSfu.ts';

afterEach(teardown);

describe('Sfu', () => {
  it('creates one room per id even when asked concurrently', async () => {
    const sfu = await createSfu(1);
    const [a, b] = await Promise.all([sfu.room('r1'), sfu.room('r1')]);
    expect(a).toBe(b);
    expect(a.rtpCapabilities.codecs?.map((c) => c.mimeType)).toEqual(
      expect.arrayContaining(['audio/opus', 'video/VP8', 'video/H264']),
    );
  });

  it('places rooms on the least-loaded worker and forgets closed rooms', async () => {
    const sfu = await createSfu(2);
    const r1 = await sfu.room('r1');
    const r2 = await sfu.room('r2');
    expect(r1.workerPid).not.toBe(r2.workerPid);
    r1.close();
    const again = await sfu.room('r1');
    expect(again).not.toBe(r1);
    expect(r1.closed).toBe(true);
  });

  it('closes the rooms of a dead worker and replaces the worker on the same port', async () => {
    const sfu = await createSfu(1);
    const room = await sfu.room('r1');
    const transport = await room.peer('p1').createWebRtcTransport('recv');
    const port = transport.iceCandidates[0]?.port;
    const closed = new Promise<string>((resolve) => room.once('close', resolve));
    const replaced = new Promise<number>((resolve) => sfu.once('workerreplaced', ({ pid }) => resolve(pid)));
    process.kill(room.workerPid, 'SIGKILL');
    expect(await closed).toBe('worker-died');
    const pid = await replaced;
    const next = await sfu.room('r1');
    expect(next.workerPid).toBe(pid);
    expect((await next.peer('p1').createWebRtcTransport('recv')).iceCandidates[0]?.port).toBe(port);
  });

  it('offers ICE over TCP on the worker’s port only when asked (iceTcp)', async () => {
    const protocols = async (iceTcp: boolean): Promise<string[]> => {
      const sfu = await testSfu(1, { iceTcp });
      onTeardown(() => sfu.close());
      const transport = await (await sfu.room('r1')).peer('p1').createWebRtcTransport('recv');
      return transport.iceCandidates.map((c) => c.protocol).sort();
    };
    expect(await protocols(true)).toEqual(['tcp', 'udp']);
    expect(await protocols(false)).toEqual(['udp']);
  });

  it('closes once: its rooms (as closed, not as dead workers), then its workers', async () => {
    const sfu = await createSfu(2);
    const rooms = [await sfu.room('r1'), await sfu.room('r2')];
    const peer = rooms[0]!.peer('p1');
    await peer.createWebRtcTransport('recv');
    const workers = sfu.workers;
    const reasons: MediaRoomCloseReason[] = [];
    for (const room of rooms) room.once('close', (reason) => reasons.push(reason));
    let closes = 0;
    sfu.observer.on('close', () => closes++);
    sfu.close();
    sfu.close();
    expect(closes).toBe(1);
    expect(reasons).toEqual(['closed', 'closed']);
    expect(peer.closed).toBe(true);
    expect(workers.every((w) => w.closed)).toBe(true);
    expect(sfu.workers).toEqual([]);
    await expect(sfu.room('r1')).rejects.toBeInstanceOf(InvalidStateError);
  });

  it('fails a room being made when it closes', async () => {
    const sfu = await createSfu(1);
    const pending = sfu.room('r1');
    sfu.close();
    await expect(pending).rejects.toThrow();
  });
});
