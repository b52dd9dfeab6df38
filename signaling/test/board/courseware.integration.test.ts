/**
 * Courseware over HTTP: the host teacher uploads PDF / PNG / JPEG (checked by content, at most 20 MB) or a
 * presentation, converted to PDF by the real LibreOffice; everyone in the lesson downloads it — classrooms
 * with their join token — and the board shows it.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COURSEWARE_MAX_BYTES, PRESENTATION_MAX_BYTES } from '@cloudschool/protocol';
import type { CoursewareFile } from '@cloudschool/protocol';
import { openBoardPage, startBoardServer } from '../support/board.ts';
import type { BoardTestServer } from '../support/board.ts';
import { COORDINATOR } from '../support/fixtures.ts';
import { forgedToken, seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { ok, request } from '@cloudschool/testkit';
import { corruptPptx, makePptx } from '@cloudschool/testkit/slides';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 7),
]);
const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
  Buffer.alloc(64, 1),
  Buffer.from([0xff, 0xd9]),
]);

let server: BoardTestServer;
let seeded: SeededLesson;
let otherLessonToken: string;

beforeAll(async () => {
  server = await startBoardServer();
  seeded = await seedLiveLesson(server, 2);
  // Another lesson of the same classroom, tomorrow: its token must not open this lesson's files.
  const coordinator = (await server.store.getAccountByUsername(COORDINATOR.username))!;
  const tomorrow = Date.now() + 86_400_000;
  const [other] = await server.app.lessonService.create(
    {
      title: '语文',
      subject: '语文',
      grade: '六年级',
      hostClassroomId: seeded.hostClassroomId,
      hostTeacherId: seeded.teacherId,
      startsAt: new Date(tomorrow).toISOString(),
      endsAt: new Date(tomorrow + 2_700_000).toISOString(),
      invite: { all: true, classroomIds: [], schoolIds: [], cities: [], provinces: [] },
    },
    coordinator,
  );
  otherLessonToken = await server.app.lessonService.joinToken(other!, seeded.classroomIds[0]!);
});
afterAll(() => server.close());

const base = () => `${server.url}/api/lessons/${seeded.lessonId}/courseware`;

function upload(body: BodyInit, type: string, cookie = seeded.teacherCookie, init: RequestInit = {}) {
  return fetch(base(), { method: 'POST', headers: { 'content-type': type, cookie }, body, ...init });
}

async function uploaded(body: Buffer, type: string): Promise<CoursewareFile> {
  const res = await upload(new Uint8Array(body), type);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as CoursewareFile;
}

const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

describe('courseware', () => {
  it('stores PDF, PNG and JPEG from the host teacher, typed by their content', async () => {
    const pdf = await uploaded(PDF, 'application/pdf');
    expect(pdf).toEqual({
      fileId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'application/pdf',
      bytes: PDF.length,
    });
    expect(await uploaded(PNG, 'image/png')).toMatchObject({ type: 'image/png', bytes: PNG.length });
    expect(await uploaded(JPEG, 'image/jpeg; charset=binary')).toMatchObject({ type: 'image/jpeg' });
    const files = readdirSync(path.join(server.dataDir, 'courseware', seeded.lessonId));
    expect(files).toContain(pdf.fileId);
    expect(files.some((f) => f.endsWith('.part'))).toBe(false);
  });

  it('refuses content that is not what it claims, or not courseware at all', async () => {
    const cases: [Buffer, string][] = [
      [Buffer.from('<html><script>alert(1)</script></html>'), 'application/pdf'], // a name or header is not enough
      [PNG, 'application/pdf'],
      [PDF, 'image/png'],
      [PDF, 'text/html'],
      [Buffer.from('%PD'), 'application/pdf'], // too short to be one
      [Buffer.alloc(0), 'image/jpeg'],
    ];
    for (const [body, type] of cases) {
      const res = await upload(new Uint8Array(body), type);
      expect([type, res.status]).toEqual([type, 415]);
      expect(await res.json()).toMatchObject({ error: { code: 'bad_request' } });
    }
    expect(await listed()).toHaveLength(3);
  });

  it('refuses more than 20 MB, declared or streamed, and keeps nothing of it', async () => {
    const big = new Uint8Array(COURSEWARE_MAX_BYTES + 1);
    big.set(PDF);
    const declared = await upload(big, 'application/pdf');
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { code: 'bad_request', message: /20 MB/ } });

    // Chunked: no length up front; refused once the 20 MB are exceeded.
    const chunk = new Uint8Array(1024 * 1024);
    chunk.set(PDF);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > COURSEWARE_MAX_BYTES + 2 * chunk.length) controller.close();
        else controller.enqueue(sent === 0 ? chunk : new Uint8Array(chunk.length));
        sent += chunk.length;
      },
    });
    const streamed = await upload(stream, 'application/pdf', seeded.teacherCookie, {
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    // Exactly 20 MB is fine.
    expect(
      (await uploaded(Buffer.from(big.subarray(0, COURSEWARE_MAX_BYTES)), 'application/pdf')).bytes,
    ).toBe(COURSEWARE_MAX_BYTES);
    const files = readdirSync(path.join(server.dataDir, 'courseware', seeded.lessonId));
    expect(files.some((f) => f.endsWith('.part'))).toBe(false);
    expect(files).toHaveLength(4);
  });

  it('takes uploads from the lesson’s host teacher only', async () => {
    const body = new Uint8Array(PDF);
    expect((await upload(body, 'application/pdf', seeded.otherTeacherCookie)).status).toBe(403);
    expect((await upload(body, 'application/pdf', seeded.coordinatorCookie)).status).toBe(403);
    expect((await upload(body, 'application/pdf', '')).status).toBe(401);
    const token = seeded.tokens[0]!;
    const res = await fetch(`${base()}?t=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body,
    });
    expect(res.status).toBe(401);
  });

  it('serves files to the host, coordinators and invited classrooms by token, and no one else', async () => {
    const pdf = await uploaded(PDF, 'application/pdf');
    const url = `${base()}/${pdf.fileId}`;
    const get = (query = '', cookie = '') => fetch(url + query, { headers: cookie ? { cookie } : {} });

    const byToken = await get(`?t=${seeded.tokens[1]}`);
    expect(byToken.status).toBe(200);
    expect(byToken.headers.get('content-type')).toBe('application/pdf');
    expect(byToken.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await byToken.arrayBuffer())).toEqual(PDF);
    expect((await get('', seeded.teacherCookie)).status).toBe(200);
    expect((await get('', seeded.coordinatorCookie)).status).toBe(200);
    // pdf.js asks for ranges of big files.
    const range = await fetch(url, { headers: { cookie: seeded.teacherCookie, range: 'bytes=0-4' } });
    expect(range.status).toBe(206);
    expect(await range.text()).toBe('%PDF-');

    expect((await get()).status).toBe(401);
    expect((await get('', seeded.otherTeacherCookie)).status).toBe(403);
    // A valid join link of another lesson: refused, not unknown (as for the lesson's recordings).
    expect(await (await get(`?t=${otherLessonToken}`)).json()).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect((await get(`?t=${forgedToken(seeded.tokens[0]!)}`)).status).toBe(401);
    const missing = await fetch(`${base()}/2f1c3a4b-5d6e-4f70-8a9b-0c1d2e3f4a5b?t=${seeded.tokens[0]}`);
    expect(missing.status).toBe(404);
    expect((await fetch(`${base()}/..%2F..%2Fcloudschool.db?t=${seeded.tokens[0]}`)).status).toBe(404);

    const list = await fetch(`${base()}?t=${seeded.tokens[0]}`);
    expect(((await list.json()) as { files: CoursewareFile[] }).files).toContainEqual(pdf);
  });

  it('puts a courseware page behind a board page', async () => {
    const pdf = await uploaded(PDF, 'application/pdf');
    const host = await openBoardPage(server.url, seeded, { role: 'host' });
    const room = await openBoardPage(server.url, seeded, { role: 'classroom', index: 0 });
    try {
      await ok(host.socket, 'board:op', {
        op: { type: 'page:add', after: null, background: { fileId: pdf.fileId, page: 3 } },
      });
      await room.sync();
      expect(room.replica.state.pages.at(-1)!.background).toEqual({ fileId: pdf.fileId, page: 3 });
      expect(
        await request(room.socket, 'board:op', {
          op: { type: 'background', pageId: 'p0', background: null },
        }),
      ).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    } finally {
      host.close();
      room.close();
    }
  });
});

async function listed(): Promise<CoursewareFile[]> {
  const res = await fetch(base(), { headers: { cookie: seeded.teacherCookie } });
  return ((await res.json()) as { files: CoursewareFile[] }).files;
}

describe('presentations', () => {
  it('converts the host teacher’s pptx to a PDF, which is what is kept and served', async () => {
    const file = await uploaded(await makePptx(3), PPTX);
    expect(file).toMatchObject({ type: 'application/pdf' });
    expect(await listed()).toContainEqual(file);
    const pdf = await fetch(`${base()}/${file.fileId}`, { headers: { cookie: seeded.teacherCookie } });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = Buffer.from(await pdf.arrayBuffer()).toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    expect(text.match(/\/Type\s*\/Page\b/g)).toHaveLength(3);
  }, 60_000);

  it('refuses a corrupt pptx with its reason, and the lesson’s courseware stays as it was', async () => {
    const before = await listed();
    const res = await upload(new Uint8Array(await corruptPptx()), PPTX);
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: { code: 'bad_request', message: expect.any(String), reason: 'unreadable' },
    });
    expect(await listed()).toEqual(before);
    const files = readdirSync(path.join(server.dataDir, 'courseware', seeded.lessonId));
    expect(files.filter((f) => f.endsWith('.part'))).toEqual([]);
  }, 60_000);

  it('refuses what only claims to be a presentation before converting anything', async () => {
    const res = await upload(new Uint8Array(PNG), PPTX);
    expect(res.status).toBe(415);
    const ole = await upload(new Uint8Array(PDF), 'application/vnd.ms-powerpoint');
    expect(ole.status).toBe(415);
  });

  it('takes presentations up to 60 MB, PDFs up to 20 MB', async () => {
    const huge = new Uint8Array(PRESENTATION_MAX_BYTES + 1);
    huge.set([0x50, 0x4b, 0x03, 0x04]);
    const refused = await upload(huge, PPTX);
    expect(refused.status).toBe(413);
    expect(await refused.json()).toMatchObject({ error: { code: 'bad_request', message: /60 MB/ } });
    const big = new Uint8Array(COURSEWARE_MAX_BYTES + 1024);
    big.set([0x50, 0x4b, 0x03, 0x04]);
    // Over the PDF limit, under the presentation's: read whole, then LibreOffice says it is no presentation.
    const res = await upload(big, PPTX);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { reason: string } }).error.reason).toBe('unreadable');
  }, 60_000);

  it('takes presentations from the lesson’s host teacher only', async () => {
    const deck = new Uint8Array(await makePptx(1));
    const classroom = await fetch(`${base()}?t=${seeded.tokens[0]!}`, {
      method: 'POST',
      headers: { 'content-type': PPTX },
      body: deck,
    });
    expect(classroom.status).toBe(401);
    expect((await upload(deck, PPTX, seeded.coordinatorCookie)).status).toBe(403);
  });
});
