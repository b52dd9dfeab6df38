/**
 * The dual-teacher interaction over the real protocol: ordered hands, Q&A with
 * votes, quizzes answered by whole classrooms, the private backchannel,
 * invisible patrol, and a reload that gets everything back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessageView, InteractionState, LessonReport, LessonState } from '@cloudschool/protocol';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { connectClient, ok, request, waitFor } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

let server: TestServer;
let seeded: SeededLesson;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  server = await startTestServer(1);
  seeded = await seedLiveLesson(server, 4);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server.close();
});

interface Page {
  socket: ClientSocket;
  interaction: () => InteractionState;
  lesson: () => LessonState | undefined;
  chat: ChatMessageView[];
}

async function open(role: 'host' | 'classroom' | 'observer', i = 0): Promise<Page> {
  const cookie =
    role === 'host' ? seeded.teacherCookie : role === 'observer' ? seeded.coordinatorCookie : undefined;
  const socket = await connectClient(server.url, cookie);
  sockets.push(socket);
  const chat: ChatMessageView[] = [];
  let lesson: LessonState | undefined;
  socket.on('chat:message', (m) => chat.push(m));
  socket.on('lesson:state', (s) => (lesson = s));
  const join = await ok(socket, 'lesson:join', {
    lessonId: seeded.lessonId,
    role,
    ...(role === 'classroom' ? { token: seeded.tokens[i] } : {}),
  });
  let interaction = join.interaction;
  socket.on('interaction:state', (s) => (interaction = s));
  return { socket, interaction: () => interaction, lesson: () => lesson ?? join.state, chat };
}

const ids = () => seeded.classroomIds as [string, string, string, string];

describe('the dual-teacher interaction', () => {
  let host: Page;
  let rooms: Page[];
  beforeAll(async () => {
    host = await open('host');
    rooms = [
      await open('classroom', 0),
      await open('classroom', 1),
      await open('classroom', 2),
      await open('classroom', 3),
    ];
  });

  it('queues raised hands first come, first served, and shows each classroom its place', async () => {
    await ok(rooms[1]!.socket, 'hand:raise', {});
    await new Promise((r) => setTimeout(r, 5));
    await ok(rooms[3]!.socket, 'hand:raise', {});
    await new Promise((r) => setTimeout(r, 5));
    await ok(rooms[0]!.socket, 'hand:raise', {});
    await ok(rooms[1]!.socket, 'hand:raise', {}); // raising twice keeps the first place
    const order = [ids()[1], ids()[3], ids()[0]];
    await waitFor(() => host.interaction().hands.length === 3, 'three hands at the host');
    expect(host.interaction().hands.map((h) => h.classroomId)).toEqual(order);
    await waitFor(() => rooms[3]!.interaction().hands.length === 3, 'the queue at a classroom');
    expect(rooms[3]!.interaction().hands.findIndex((h) => h.classroomId === ids()[3]) + 1).toBe(2);

    await ok(rooms[3]!.socket, 'hand:lower', {});
    await ok(host.socket, 'stage:invite', { classroomId: ids()[1] }); // taking a hand lowers it
    await waitFor(() => host.interaction().hands.length === 1, 'handled hands lowered');
    expect(host.interaction().hands.map((h) => h.classroomId)).toEqual([ids()[0]]);
    expect(host.interaction().stage.map((m) => m.classroomId)).toEqual([ids()[1]]);
    await ok(host.socket, 'hand:dismiss', { classroomId: ids()[0] });
    await ok(host.socket, 'stage:remove', { classroomId: ids()[1] });
    await waitFor(
      () => host.interaction().hands.length === 0 && host.interaction().stage.length === 0,
      'cleared',
    );
  });

  it('orders questions by votes, and shows “answered” on every classroom', async () => {
    const q1 = await ok(rooms[0]!.socket, 'question:ask', { text: '分母为什么不能是0？' });
    const q2 = await ok(rooms[1]!.socket, 'question:ask', { text: '能再讲一遍通分吗？' });
    await waitFor(() => host.interaction().questions.length === 2, 'two questions');
    expect(host.interaction().questions.map((q) => q.id)).toEqual([q1.id, q2.id]); // same votes: oldest first
    await ok(rooms[2]!.socket, 'question:vote', { questionId: q2.id, on: true });
    await ok(rooms[3]!.socket, 'question:vote', { questionId: q2.id, on: true });
    await ok(rooms[3]!.socket, 'question:vote', { questionId: q2.id, on: true }); // one vote per classroom
    expect(await request(rooms[1]!.socket, 'question:vote', { questionId: q2.id, on: true })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await waitFor(() => host.interaction().questions[0]?.id === q2.id, 'votes reorder');
    expect(host.interaction().questions.map((q) => [q.id, q.votes])).toEqual([
      [q2.id, 2],
      [q1.id, 0],
    ]);
    await ok(host.socket, 'question:mark', { questionId: q2.id, state: 'answered' });
    for (const room of rooms) {
      await waitFor(
        () => room.interaction().questions.find((q) => q.id === q2.id)?.state === 'answered',
        'answered',
      );
    }
    await ok(host.socket, 'question:mark', { questionId: q1.id, state: 'dismissed' });
    await waitFor(
      () => !rooms[2]!.interaction().questions.some((q) => q.id === q1.id),
      'dismissed hidden from classrooms',
    );
    expect(host.interaction().questions.find((q) => q.id === q1.id)?.state).toBe('dismissed');
  });

  it('aggregates quiz answers from whole classrooms, reveals them, and survives a reload', async () => {
    const { quizId } = await ok(host.socket, 'quiz:start', {
      question: '3/4 和 6/8 哪个大？',
      kind: 'single',
      options: ['3/4 大', '6/8 大', '一样大'],
    });
    await waitFor(() => rooms.every((r) => r.interaction().quiz?.id === quizId), 'quiz at every classroom');
    expect(rooms[0]!.interaction().quiz?.tally).toBeNull(); // classrooms see no results before the reveal
    await ok(rooms[0]!.socket, 'quiz:answer', { quizId, choices: [2] });
    await ok(rooms[1]!.socket, 'quiz:answer', { quizId, counts: [3, 5, 30] });
    await ok(rooms[2]!.socket, 'quiz:answer', { quizId, choices: [0] });
    await ok(rooms[3]!.socket, 'quiz:answer', { quizId, counts: [1, 0, 40] });
    expect(await request(rooms[3]!.socket, 'quiz:answer', { quizId, counts: [1, 2] })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(await request(rooms[2]!.socket, 'quiz:answer', { quizId, choices: [0, 1] })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    const expected = [1 + 3 + 1, 5 + 0, 1 + 30 + 40];
    await waitFor(() => host.interaction().quiz?.answeredClassrooms === 4, 'four answers at the host');
    expect(host.interaction().quiz?.tally).toEqual(expected);

    // A classroom page reloaded mid-quiz comes back with the quiz and its own answer.
    rooms[1]!.socket.disconnect();
    const reloaded = await connectClient(server.url);
    sockets.push(reloaded);
    const again = await ok(reloaded, 'lesson:join', {
      lessonId: seeded.lessonId,
      role: 'classroom',
      token: seeded.tokens[1],
    });
    expect(again.interaction.quiz?.id).toBe(quizId);
    expect(again.personal?.quizAnswer).toEqual({ quizId, choices: null, counts: [3, 5, 30] });
    rooms[1] = { ...rooms[1]!, socket: reloaded };

    await ok(host.socket, 'quiz:reveal', { quizId });
    await waitFor(() => rooms[0]!.interaction().quiz?.revealed === true, 'revealed');
    expect(rooms[0]!.interaction().quiz).toMatchObject({ tally: expected, closed: true });
    expect(await request(rooms[0]!.socket, 'quiz:answer', { quizId, choices: [1] })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('keeps the backchannel between one classroom and the host side', async () => {
    const fromRoom = await ok(rooms[2]!.socket, 'chat:send', { text: '我们这边听不清' });
    const unread = () => host.interaction().tiles?.find((t) => t.classroomId === ids()[2])?.unread;
    await waitFor(() => unread() === 1, 'one unread message on the tile');
    await ok(host.socket, 'chat:read', { classroomId: ids()[2] });
    await waitFor(() => unread() === 0, 'read');
    await ok(host.socket, 'chat:send', { classroomId: ids()[2], text: '收到，马上调整' });
    await waitFor(() => host.chat.length === 2 && rooms[2]!.chat.length === 2, 'both ends');
    expect(rooms[2]!.chat.map((m) => m.from)).toEqual(['classroom', 'host']);
    for (const other of [rooms[0]!, rooms[1]!, rooms[3]!]) expect(other.chat).toEqual([]);
    // A reloaded host console gets the conversation back; classrooms cannot read others' conversations.
    const history = await ok(host.socket, 'chat:history', { classroomId: ids()[2] });
    expect(history.map((m) => m.text)).toEqual(['我们这边听不清', '收到，马上调整']);
    expect(await request(rooms[0]!.socket, 'chat:history', { classroomId: ids()[2] })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(fromRoom.classroomId).toBe(ids()[2]);
    // Classrooms never get tiles, so never learn of other classrooms' messages.
    expect(rooms[0]!.interaction().tiles).toBeNull();
  });

  it('lets a coordinator patrol unseen: sees everything, sends nothing but a word to a tutor, not counted', async () => {
    const before = rooms[0]!.lesson()?.classroomCount;
    const observer = await open('observer');
    expect(
      observer
        .interaction()
        .tiles?.map((t) => t.classroomId)
        .sort(),
    ).toEqual([...ids()].sort());
    expect(observer.interaction().questions.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(rooms[0]!.lesson()?.classroomCount).toBe(before);
    const lesson = server.app.lessons.get(seeded.lessonId)!;
    expect(lesson.state().classroomCount).toBe(4);
    // An alert on the wall: the coordinator writes to that classroom's tutor as the host side, reads the
    // conversation, and leaves the host teacher's unread count alone.
    const unreadBefore = host.interaction().tiles?.find((t) => t.classroomId === ids()[2])?.unread;
    const history = await ok(observer.socket, 'chat:history', { classroomId: ids()[2] });
    expect(history.map((m) => m.text)).toEqual(['我们这边听不清', '收到，马上调整']);
    await ok(observer.socket, 'chat:send', { classroomId: ids()[2], text: '教务处：请检查投影仪' });
    await waitFor(() => rooms[2]!.chat.at(-1)?.text === '教务处：请检查投影仪', 'the tutor gets it');
    expect(rooms[2]!.chat.at(-1)?.from).toBe('host');
    await waitFor(() => host.chat.at(-1)?.text === '教务处：请检查投影仪', 'the host teacher sees it too');
    expect(await request(observer.socket, 'chat:read', { classroomId: ids()[2] })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(host.interaction().tiles?.find((t) => t.classroomId === ids()[2])?.unread).toBe(unreadBefore);
    for (const [event, payload] of [
      ['hand:raise', {}],
      ['question:ask', { text: 'x' }],
      ['stage:invite', { classroomId: ids()[0] }],
      ['media:createTransport', { direction: 'send' }],
    ] as const) {
      expect(await request(observer.socket, event, payload as never)).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
  });

  it('keeps questions and quiz results for the lesson report', async () => {
    const res = await fetch(`${server.url}/api/lessons/${seeded.lessonId}/report`, {
      headers: { cookie: seeded.coordinatorCookie },
    });
    const report = (await res.json()) as LessonReport;
    expect(report.questions.map((q) => [q.text, q.votes, q.state])).toEqual([
      ['分母为什么不能是0？', 0, 'dismissed'],
      ['能再讲一遍通分吗？', 2, 'answered'],
    ]);
    expect(report.quizzes).toHaveLength(1);
    expect(report.quizzes[0]).toMatchObject({ tally: [5, 5, 71], answeredClassrooms: 4 });
  });
});
