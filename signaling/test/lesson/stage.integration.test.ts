/**
 * On stage (连麦) with real RTP through mediasoup: a classroom's microphone is
 * forwarded to nobody until the host brings it on stage; then the host and
 * every other classroom receive its voice and video; mute pauses it; leaving
 * the stage stops it again.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { consume, ok, openMediaPage, publish, request, waitFor } from '@cloudschool/testkit';
import type { MediaPage } from '@cloudschool/testkit';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { serverPerTest } from '../support/server.ts';

const live = serverPerTest(1);
let seeded: SeededLesson;
beforeEach(async () => {
  seeded = await seedLiveLesson(live.server, 3);
});

type Page = MediaPage;

function page(role: 'host' | 'classroom', token?: string): Promise<Page> {
  const who = role === 'host' ? { role, cookie: seeded.teacherCookie } : { role, token: token! };
  return openMediaPage(live.server.url, seeded.lessonId, who, live.cleanups);
}

/** Publishes crafted VP8 + Opus from a plain transport; returns the producer ids. */
async function publishMedia(p: Page): Promise<{ camera: string; mic: string }> {
  const [camera, mic] = await publish(p.socket, live.sender(), ['video', 'audio']);
  return { camera: camera!, mic: mic! };
}

/** Every consumer of a producer on the server: what the SFU really forwards. */
async function countConsumers(producerId: string): Promise<number> {
  return (await live.server.sfu.room(seeded.lessonId)).consumersOf(producerId).length;
}

describe('on stage', () => {
  it('forwards a classroom’s voice to nobody until it is on stage, then to the host and every classroom', async () => {
    const host = await page('host');
    const a = await page('classroom', seeded.tokens[0]);
    const b = await page('classroom', seeded.tokens[1]);
    const aId = seeded.classroomIds[0]!;
    const aMedia = await publishMedia(a);

    // Off stage: the host's overview may show A's camera; nobody may hear A.
    await waitFor(
      () =>
        host.state.interaction?.tiles?.find((t) => t.classroomId === aId)?.cameraProducerId === aMedia.camera,
      'tile',
    );
    const hostSeesA = await consume(host, aMedia.camera);
    for (const p of [host, b]) {
      const res = await request(p.socket, 'media:consume', {
        transportId: p.recvTransportId,
        producerId: aMedia.mic,
        rtpCapabilities: p.join.routerRtpCapabilities,
      });
      expect(res).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(
      (
        await request(b.socket, 'media:consume', {
          transportId: b.recvTransportId,
          producerId: aMedia.camera,
          rtpCapabilities: b.join.routerRtpCapabilities,
        })
      ).ok,
    ).toBe(false);
    expect(await countConsumers(aMedia.mic)).toBe(0);
    expect(b.state.lesson?.producers.some((p) => p.classroomId === aId) ?? false).toBe(false);
    await waitFor(() => host.sink.count(hostSeesA.ssrc) > 20, 'A’s camera at the host overview');

    // On stage: A's camera and mic are main media; the host and B receive them.
    await ok(a.socket, 'hand:raise', {});
    await waitFor(() => host.state.interaction?.hands[0]?.classroomId === aId, 'hand at the host');
    await ok(host.socket, 'stage:invite', { classroomId: aId });
    await waitFor(
      () => (b.state.lesson?.producers.filter((p) => p.classroomId === aId).length ?? 0) === 2,
      'A on stage at B',
    );
    expect(
      host.state.lesson?.producers
        .filter((p) => p.classroomId === aId)
        .map((p) => p.source)
        .sort(),
    ).toEqual(['camera', 'mic']);
    const hostHearsA = await consume(host, aMedia.mic);
    const bHearsA = await consume(b, aMedia.mic);
    const bSeesA = await consume(b, aMedia.camera);
    await waitFor(
      () =>
        host.sink.count(hostHearsA.ssrc) > 20 &&
        b.sink.count(bHearsA.ssrc) > 20 &&
        b.sink.count(bSeesA.ssrc) > 20,
      'A’s voice at the host and at B, A’s video at B',
    );
    // A page never receives itself.
    const self = await request(a.socket, 'media:consume', {
      transportId: a.recvTransportId,
      producerId: aMedia.mic,
      rtpCapabilities: a.join.routerRtpCapabilities,
    });
    expect(self).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await countConsumers(aMedia.mic)).toBe(2);
    const report = (await (
      await fetch(`${live.server.url}/api/lessons/${seeded.lessonId}/media`, {
        headers: { cookie: seeded.coordinatorCookie },
      })
    ).json()) as {
      participants: { role: string; classroomId: string | null; audio: number; video: number }[];
    };
    expect(report.participants.find((p) => p.classroomId === seeded.classroomIds[1])).toMatchObject({
      audio: 1,
      video: 1,
    });
    expect(report.participants.find((p) => p.role === 'host')).toMatchObject({ audio: 1, video: 1 });

    // Muted by the host: the producer pauses, so no voice arrives.
    await ok(host.socket, 'stage:mute', { classroomId: aId, muted: true });
    await new Promise((r) => setTimeout(r, 300));
    const mutedAt = b.sink.count(bHearsA.ssrc);
    await new Promise((r) => setTimeout(r, 600));
    expect(b.sink.count(bHearsA.ssrc)).toBe(mutedAt);
    await ok(host.socket, 'stage:mute', { classroomId: aId, muted: false });
    await waitFor(() => b.sink.count(bHearsA.ssrc) > mutedAt + 10, 'voice again after unmute');

    // Off stage again: every mic consumer and B's camera consumer close; the host keeps its overview tile.
    await ok(a.socket, 'stage:leave', {});
    await waitFor(() => b.closed.length === 2 && host.closed.includes(hostHearsA.id), 'consumers closed');
    expect(await countConsumers(aMedia.mic)).toBe(0);
    expect(await countConsumers(aMedia.camera)).toBe(1);
    expect(host.closed).not.toContain(hostSeesA.id);
  });

  it('keeps the stage to its capacity and only invites connected classrooms', async () => {
    const host = await page('host');
    await page('classroom', seeded.tokens[0]);
    await page('classroom', seeded.tokens[1]);
    const [a, b, c] = seeded.classroomIds as [string, string, string];
    await ok(host.socket, 'stage:invite', { classroomId: a });
    expect(await request(host.socket, 'stage:invite', { classroomId: b })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    await ok(host.socket, 'stage:capacity', { capacity: 2 });
    await ok(host.socket, 'stage:invite', { classroomId: b });
    expect(await request(host.socket, 'stage:invite', { classroomId: c })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    expect(await request(host.socket, 'stage:capacity', { capacity: 1 })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    await waitFor(() => host.state.interaction?.stage.length === 2, 'two on stage');
    expect(await live.server.store.getStage(seeded.lessonId)).toHaveLength(2);
  });
});
