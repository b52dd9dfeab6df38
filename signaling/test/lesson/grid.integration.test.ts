/** The host's overview of many classrooms: tiles appear as classrooms publish; a page receives a bounded number. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TILE_CONSUMERS } from '../../src/lesson/mediaRules.ts';
import type { InteractionState } from '@cloudschool/protocol';
import { connectClient, ok, request, videoRtpParameters, waitFor } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

const CLASSROOMS = 30;
let server: TestServer;
let seeded: SeededLesson;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  server = await startTestServer(1);
  seeded = await seedLiveLesson(server, CLASSROOMS);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server.close();
});

describe('the overview grid', () => {
  it('lists every classroom with its camera, and refuses more tiles than a page can show', async () => {
    const host = await connectClient(server.url, seeded.teacherCookie);
    sockets.push(host);
    const join = await ok(host, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
    let interaction: InteractionState = join.interaction;
    host.on('interaction:state', (s) => (interaction = s));
    for (const token of seeded.tokens) {
      const s = await connectClient(server.url);
      sockets.push(s);
      await ok(s, 'lesson:join', { lessonId: seeded.lessonId, role: 'classroom', token });
      const t = await ok(s, 'media:createPlainTransport', { direction: 'send' });
      await ok(s, 'media:produce', {
        transportId: t.id,
        kind: 'video',
        source: 'camera',
        rtpParameters: videoRtpParameters,
      });
    }
    await waitFor(
      () => interaction.tiles?.filter((t) => t.connected && t.cameraProducerId).length === CLASSROOMS,
      'every tile connected with a camera',
    );
    const recv = await ok(host, 'media:createPlainTransport', { direction: 'recv' });
    const consumed: string[] = [];
    const tiles = interaction.tiles!;
    for (const tile of tiles.slice(0, MAX_TILE_CONSUMERS)) {
      const c = await ok(host, 'media:consume', {
        transportId: recv.id,
        producerId: tile.cameraProducerId!,
        rtpCapabilities: join.routerRtpCapabilities,
      });
      consumed.push(c.id);
    }
    const extra = tiles[MAX_TILE_CONSUMERS]!.cameraProducerId!;
    const refused = await request(host, 'media:consume', {
      transportId: recv.id,
      producerId: extra,
      rtpCapabilities: join.routerRtpCapabilities,
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } });
    // Turning the page: close a tile, open another.
    await ok(host, 'media:closeConsumer', { consumerId: consumed[0]! });
    await ok(host, 'media:consume', {
      transportId: recv.id,
      producerId: extra,
      rtpCapabilities: join.routerRtpCapabilities,
    });
    const report = await server.app.lessons.get(seeded.lessonId)!.mediaReport();
    expect(report.participants.find((p) => p.role === 'host')).toMatchObject({
      video: MAX_TILE_CONSUMERS,
      audio: 0,
    });
  });
});
