/**
 * The host teacher's shared screen and the classrooms' layout, over the real protocol and a real
 * mediasoup worker: who may share and choose, what a share does to the layout, and what a reconnecting
 * classroom and a late joiner are told.
 */
import { describe, expect, it } from 'vitest';
import type { LessonLayout, LessonState } from '@cloudschool/protocol';
import { latestState, ok, request, videoRtpParameters, waitFor } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import { seedLiveLesson } from '../support/fixtures.ts';
import { serverPerTest } from '../support/server.ts';

const live = serverPerTest(1);

const refusal = async (p: Promise<{ ok: boolean; error?: { code: string } }>): Promise<string> => {
  const res = await p;
  return res.ok ? 'ok' : (res.error?.code ?? '?');
};

async function lessonWithEveryone() {
  const seeded = await seedLiveLesson(live.server, 2);
  const host = await live.client(seeded.teacherCookie);
  const classroom = await live.client();
  const observer = await live.client(seeded.coordinatorCookie);
  await ok(host, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
  const joinClassroom = (socket: ClientSocket, i: number) =>
    ok(socket, 'lesson:join', { lessonId: seeded.lessonId, role: 'classroom', token: seeded.tokens[i] });
  await joinClassroom(classroom, 0);
  await ok(observer, 'lesson:join', { lessonId: seeded.lessonId, role: 'observer' });
  return { seeded, host, classroom, observer, joinClassroom };
}

/** Publishes a screen over a plain transport (the server never sees pixels: RTP parameters suffice). */
async function shareScreen(host: ClientSocket): Promise<string> {
  const t = await ok(host, 'media:createPlainTransport', { direction: 'send' });
  const { producerId } = await ok(host, 'media:produce', {
    transportId: t.id,
    kind: 'video',
    source: 'screen',
    rtpParameters: videoRtpParameters,
  });
  return producerId;
}

const layoutOf = (box: { current: LessonState | undefined }): LessonLayout | undefined => box.current?.layout;

describe('screen share and layout', () => {
  it('lets only the host teacher share a screen: a classroom and a coordinator are refused, nothing changes', async () => {
    const { seeded, host, classroom, observer } = await lessonWithEveryone();
    const t = await ok(classroom, 'media:createPlainTransport', { direction: 'send' });
    const screen = { kind: 'video', source: 'screen', rtpParameters: videoRtpParameters } as const;
    expect(await refusal(request(classroom, 'media:produce', { transportId: t.id, ...screen }))).toBe(
      'forbidden',
    );
    expect(await refusal(request(observer, 'media:produce', { transportId: t.id, ...screen }))).toBe(
      'forbidden',
    );
    // A screen carries video only.
    const h = await ok(host, 'media:createPlainTransport', { direction: 'send' });
    expect(
      await refusal(
        request(host, 'media:produce', {
          transportId: h.id,
          kind: 'audio',
          source: 'screen',
          rtpParameters: videoRtpParameters,
        }),
      ),
    ).toBe('bad_request');
    // Nothing was published: the lesson lists no producer and keeps the camera layout.
    const lesson = live.server.app.lessons.get(seeded.lessonId)!;
    expect(lesson.state().producers).toEqual([]);
    expect(lesson.state().layout).toBe('camera');
  });

  it('lets only the host choose the layout, validates it, and switches with the share', async () => {
    const { seeded, host, classroom, observer, joinClassroom } = await lessonWithEveryone();
    const atClassroom = latestState(classroom);
    const atObserver = latestState(observer);

    // Not the host: refused, and the layout stays.
    expect(await refusal(request(classroom, 'lesson:layout', { layout: 'board' }))).toBe('forbidden');
    expect(await refusal(request(observer, 'lesson:layout', { layout: 'board' }))).toBe('forbidden');
    // An unknown layout never passes the edge.
    expect(
      await refusal(request(host, 'lesson:layout', { layout: 'slides' } as unknown as { layout: 'board' })),
    ).toBe('bad_request');
    // Nothing shared: the screen layout has nothing to show.
    expect(await refusal(request(host, 'lesson:layout', { layout: 'screen' }))).toBe('conflict');
    const lesson = live.server.app.lessons.get(seeded.lessonId)!;
    expect(lesson.layout).toBe('camera');

    // A share switches every page to the screen.
    const screenId = await shareScreen(host);
    await waitFor(
      () =>
        layoutOf(atClassroom) === 'screen' &&
        atClassroom.current?.producers.some((p) => p.id === screenId && p.source === 'screen') === true,
      'classroom told of the share',
    );
    await waitFor(() => layoutOf(atObserver) === 'screen', 'observer told of the share');

    // The host's choice reaches every page.
    await ok(host, 'lesson:layout', { layout: 'board' });
    await waitFor(() => layoutOf(atClassroom) === 'board', 'classroom shows the board');
    await waitFor(() => layoutOf(atObserver) === 'board', 'observer shows the board');

    // A classroom that reconnects, and one that joins late, get the layout with their join.
    classroom.disconnect();
    const again = await live.client();
    expect((await joinClassroom(again, 0)).state.layout).toBe('board');
    const late = await live.client();
    expect((await joinClassroom(late, 1)).state.layout).toBe('board');

    // Stopping the share while it is shown returns the classrooms to the camera.
    const atLate = latestState(late);
    await ok(host, 'lesson:layout', { layout: 'screen' });
    await waitFor(() => layoutOf(atLate) === 'screen', 'late classroom shows the screen');
    await ok(host, 'media:closeProducer', { producerId: screenId });
    await waitFor(
      () => layoutOf(atLate) === 'camera' && atLate.current?.producers.length === 0,
      'back to the camera once the share stopped',
    );
    expect(lesson.layout).toBe('camera');
  });
});
