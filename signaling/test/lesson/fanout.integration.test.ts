/**
 * A lesson spread over two mediasoup workers: classrooms are placed on the least-loaded worker and the
 * host's tracks are piped into the other worker once, however many classrooms there watch them.
 * Real RTP, real workers; two of the classrooms receive SRTP like a browser would.
 */
import { describe, expect, it } from 'vitest';
import type { MediaReport } from '../../src/lesson/LessonMedia.ts';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { ok, publish, request, srtpKey, subscribe, waitFor } from '@cloudschool/testkit';
import type { ClientSocket, RtpSink } from '@cloudschool/testkit';
import { serverPerTest } from '../support/server.ts';

const CLASSROOMS = 6;

const live = serverPerTest(2);

/** The lesson's host, joined and publishing crafted VP8 + Opus from its own RTP sender. */
async function publishingHost(seeded: SeededLesson) {
  const host = await live.client(seeded.teacherCookie);
  await ok(host, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
  const sender = live.sender();
  return { host, sender, producerIds: await publish(host, sender) };
}

interface Receiving {
  sink: RtpSink;
  ssrcs: Map<'audio' | 'video', number>;
  srtp: boolean;
}

/** A classroom that joined with `token` and receives `producerIds` into a sink of its own. */
async function receiving(
  lessonId: string,
  token: string,
  producerIds: string[],
  srtp = false,
): Promise<Receiving> {
  const classroom = await live.client();
  const join = await ok(classroom, 'lesson:join', { lessonId, role: 'classroom', token });
  const sink = live.sink();
  const port = await sink.bind();
  return {
    sink,
    ssrcs: await subscribe(classroom, port, producerIds, join.routerRtpCapabilities, srtp),
    srtp,
  };
}

const receivesBoth = ({ sink, ssrcs }: Receiving): boolean =>
  sink.count(ssrcs.get('video')!) >= 20 && sink.count(ssrcs.get('audio')!) >= 20;

describe('fan-out across workers', () => {
  it('places classrooms on both workers and pipes each host track once into the other one', async () => {
    const seeded = await seedLiveLesson(live.server, CLASSROOMS);
    const { producerIds } = await publishingHost(seeded);

    // Two of the classrooms receive SRTP, as a browser would.
    const received: Receiving[] = [];
    for (const [i, token] of seeded.tokens.entries()) {
      received.push(await receiving(seeded.lessonId, token, producerIds, i < 2));
    }
    for (const [i, r] of received.entries()) await waitFor(() => receivesBoth(r), `classroom ${i} receives`);

    const report = await live.server.app.lessons.get(seeded.lessonId)!.mediaReport();
    expect(report.workers).toHaveLength(2);
    // 1 host + 6 classrooms placed by load: 4 and 3 peers, never all on one worker.
    expect(report.workers.map((w) => w.peers).sort()).toEqual([3, 4]);
    const hostPid = report.participants.find((p) => p.role === 'host')!.workerPid;
    const away = report.participants.filter((p) => p.role === 'classroom' && p.workerPid !== hostPid);
    expect(away.length).toBeGreaterThanOrEqual(3);
    // However many classrooms watch on the other worker, each host track crosses once.
    expect(report.producers.map((p) => p.pipedTo)).toEqual([1, 1]);

    // SRTP: the worker encrypted the payload (16-byte GCM tag added; the plaintext pattern gone).
    const plainVideo = received.find((r) => !r.srtp)!;
    const srtpVideo = received.find((r) => r.srtp)!;
    const clear = plainVideo.sink.last.get(plainVideo.ssrcs.get('video')!)!;
    const sealed = srtpVideo.sink.last.get(srtpVideo.ssrcs.get('video')!)!;
    expect(sealed.length).toBe(clear.length + 16);
    expect(clear.subarray(clear.length - 32).every((b) => b === 0xab)).toBe(true);
    expect(sealed.subarray(sealed.length - 48, sealed.length - 16).every((b) => b === 0xab)).toBe(false);
  });

  it('with an ingest worker: the host alone on it, classrooms on the others, each host track piped to both', async () => {
    const seeded = await seedLiveLesson(await live.restart(2, { ingestWorker: true }), 4);
    const { producerIds } = await publishingHost(seeded);
    const received: Receiving[] = [];
    for (const token of seeded.tokens) received.push(await receiving(seeded.lessonId, token, producerIds));
    for (const r of received)
      await waitFor(() => receivesBoth(r), 'every classroom receives through the ingest worker');
    const report = await live.server.app.lessons.get(seeded.lessonId)!.mediaReport();
    const hostPid = report.participants.find((p) => p.role === 'host')!.workerPid;
    expect(report.workers).toHaveLength(3);
    // The ingest worker holds the host and nobody else; the classrooms split 2 / 2 over the others.
    expect(report.workers.find((w) => w.pid === hostPid)).toMatchObject({ peers: 1, consumers: 0 });
    expect(report.workers.filter((w) => w.pid !== hostPid).map((w) => w.peers)).toEqual([2, 2]);
    expect(report.producers.map((p) => p.pipedTo)).toEqual([2, 2]);
  });

  it('reports media per worker over HTTP, and refuses an SRTP transport connected without its key', async () => {
    const seeded = await seedLiveLesson(live.server, 1);
    const classroom = await live.client();
    await ok(classroom, 'lesson:join', {
      lessonId: seeded.lessonId,
      role: 'classroom',
      token: seeded.tokens[0],
    });
    const t = await ok(classroom, 'media:createPlainTransport', { direction: 'recv', srtp: true });
    expect(t.srtp?.cryptoSuite).toBe('AEAD_AES_256_GCM');
    const bare = await request(classroom, 'media:connectPlainTransport', {
      transportId: t.id,
      ip: '127.0.0.1',
      port: 9,
    });
    expect(bare).toMatchObject({ ok: false, error: { message: expect.stringContaining('SRTP') } });
    const plain = await ok(classroom, 'media:createPlainTransport', { direction: 'recv' });
    const keyed = await request(classroom, 'media:connectPlainTransport', {
      transportId: plain.id,
      ip: '127.0.0.1',
      port: 9,
      srtp: srtpKey(),
    });
    expect(keyed).toMatchObject({ ok: false });

    const res = await fetch(`${live.server.url}/api/lessons/${seeded.lessonId}/media`, {
      headers: { cookie: seeded.coordinatorCookie },
    });
    const report = (await res.json()) as MediaReport;
    expect(report.workers.reduce((n, w) => n + w.peers, 0)).toBe(1);
    expect(report.participants[0]?.workerPid).toBe(report.workers.find((w) => w.peers === 1)?.pid);
  });

  it('resets the whole lesson when the worker of some classrooms dies, and fans out again after', async () => {
    const seeded = await seedLiveLesson(live.server, 3);
    const { host, sender, producerIds } = await publishingHost(seeded);
    const resets: string[] = [];
    host.on('media:reset', () => resets.push('host'));
    const classrooms: { socket: ClientSocket; caps: Parameters<typeof subscribe>[3] }[] = [];
    for (const token of seeded.tokens) {
      const socket = await live.client();
      const join = await ok(socket, 'lesson:join', { lessonId: seeded.lessonId, role: 'classroom', token });
      socket.on('media:reset', () => resets.push('classroom'));
      classrooms.push({ socket, caps: join.routerRtpCapabilities });
    }
    const sink = live.sink();
    const port = await sink.bind();
    for (const c of classrooms) await subscribe(c.socket, port, producerIds, c.caps);

    const lesson = live.server.app.lessons.get(seeded.lessonId)!;
    const before = await lesson.mediaReport();
    const hostPid = before.participants.find((p) => p.role === 'host')!.workerPid!;
    const otherPid = before.workers.map((w) => w.pid).find((pid) => pid !== hostPid)!;
    process.kill(otherPid, 'SIGKILL');
    await waitFor(() => resets.length === 4, 'media:reset at the host and every classroom');

    sender.stop();
    await waitFor(() => live.server.sfu.workerPids.length === 2, 'the dead worker is replaced');
    const republished = await publish(host, sender);
    const ssrcs = await Promise.all(classrooms.map((c) => subscribe(c.socket, port, republished, c.caps)));
    await waitFor(
      () => ssrcs.every((s) => sink.count(s.get('video')!) >= 20 && sink.count(s.get('audio')!) >= 20),
      'every classroom receives again',
    );
    expect((await lesson.mediaReport()).workers).toHaveLength(2);
  });
});
