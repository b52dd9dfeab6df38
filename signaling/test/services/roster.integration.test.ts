/** The roster over HTTP: an 800-classroom import in one go; a file with bad rows imports nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedRoster } from '../support/fixtures.ts';
import { csvLineError } from '@cloudschool/protocol';
import { bigRoster } from '@cloudschool/testkit';
import type { Seeded } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

let server: TestServer;
let seeded: Seeded;
beforeAll(async () => {
  server = await startTestServer(1);
  seeded = await seedRoster(server, 1);
});
afterAll(() => server.close());

const post = (csv: string) =>
  fetch(`${server.url}/api/roster/import`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', cookie: seeded.coordinatorCookie },
    body: csv,
  });

describe('roster import over HTTP', () => {
  it('imports 800 classrooms in one request, each with a unique code, and exports them', async () => {
    const before = (await server.store.listClassrooms()).length;
    const res = await post(bigRoster());
    expect(await res.json()).toEqual({ schoolsCreated: 200, classroomsCreated: 800, classroomsUpdated: 0 });
    const classrooms = await server.store.listClassrooms();
    expect(classrooms.length - before).toBe(800);
    expect(new Set(classrooms.map((c) => c.code)).size).toBe(classrooms.length);
    const exported = await (
      await fetch(`${server.url}/api/roster/export`, { headers: { cookie: seeded.coordinatorCookie } })
    ).text();
    expect(exported.trim().split('\n')).toHaveLength(classrooms.length + 1);
    // Importing the same file again updates, and creates nothing.
    expect(await (await post(bigRoster())).json()).toEqual({
      schoolsCreated: 0,
      classroomsCreated: 0,
      classroomsUpdated: 800,
    });
  });

  it('imports nothing from a file with bad rows, and names the lines', async () => {
    const schools = (await server.store.listSchools()).length;
    const classrooms = (await server.store.listClassrooms()).length;
    const csv = [
      'school,province,city,district,classroom,kind,notes',
      '新学校,四川,成都,武侯,一班,remote,',
      '新学校,四川,成都,武侯,,remote,',
      '新学校,四川,成都,武侯,三班,teacher,',
    ];
    const res = await post(csv.join('\n'));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; lines: unknown[] } };
    expect(body.error.code).toBe('bad_csv');
    expect(body.error.message).toBe('2 bad rows: nothing was imported');
    // Each line with reason codes that pages translate, and English for API users.
    expect(body.error.lines.map((l) => csvLineError.parse(l))).toEqual([
      { line: 3, problems: [{ reason: 'empty_value', column: 'classroom' }], message: 'classroom is empty' },
      {
        line: 4,
        problems: [{ reason: 'unknown_kind', value: 'teacher' }],
        message: 'kind "teacher" is neither host nor remote',
      },
    ]);
    expect((await server.store.listSchools()).length).toBe(schools);
    expect((await server.store.listClassrooms()).length).toBe(classrooms);
  });

  it('refuses a body that is too large', async () => {
    const res = await post(
      'school,province,city,district,classroom,kind\n' + 'x,y,z,w,v,remote\n'.repeat(200_000),
    );
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/too large/);
  });
});
