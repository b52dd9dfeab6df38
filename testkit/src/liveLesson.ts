/** A lesson (scheduled, or live) set up over HTTP against a server process, as a coordinator and a teacher would. */

export interface LiveLesson {
  lessonId: string;
  teacherCookie: string;
  coordinatorCookie: string;
  /** Join tokens of the invited classrooms (from the coordinator's join links). */
  tokens: string[];
}

const TEACHER = { username: 'wang', password: 'teacher-pass-1' };

async function expectStatus(res: Response, status: number, what: string): Promise<Response> {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

/** When a lesson is: epoch milliseconds, and weekly until a day (YYYY-MM-DD) if it repeats. */
export interface LessonTimes {
  startsAt: number;
  endsAt: number;
  repeatWeeklyUntil?: string;
}

/**
 * A roster (one host classroom, `remote` remote ones), a teacher and a lesson (or a weekly series) for all of
 * them, as a coordinator makes them over HTTP; answers the lessons' ids.
 */
export async function scheduleLessonOverHttp(
  url: string,
  coordinatorCookie: string,
  remote: number,
  times: LessonTimes,
): Promise<string[]> {
  const json = { cookie: coordinatorCookie, 'content-type': 'application/json' };
  const csv = ['学校,省,市,区县,教室,类型', '一中,四川,成都,武侯,主讲教室,主讲'];
  for (let i = 1; i <= remote; i++) csv.push(`乡村小学${Math.ceil(i / 4)},四川,凉山,昭觉,${i}班,听课`);
  await expectStatus(
    await fetch(`${url}/api/roster/import`, {
      method: 'POST',
      headers: { cookie: coordinatorCookie, 'content-type': 'text/csv' },
      body: csv.join('\n'),
    }),
    200,
    'roster import',
  );
  const created = await expectStatus(
    await fetch(`${url}/api/accounts`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ ...TEACHER, displayName: '王老师', role: 'teacher' }),
    }),
    201,
    'teacher account',
  );
  const { account } = (await created.json()) as { account: { id: string } };
  const { classrooms } = (await (await fetch(`${url}/api/classrooms`, { headers: json })).json()) as {
    classrooms: { id: string; kind: string }[];
  };
  const lessons = await expectStatus(
    await fetch(`${url}/api/lessons`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        title: '数学',
        subject: '数学',
        grade: '六年级',
        hostClassroomId: classrooms.find((c) => c.kind === 'host')!.id,
        hostTeacherId: account.id,
        startsAt: new Date(times.startsAt).toISOString(),
        endsAt: new Date(times.endsAt).toISOString(),
        invite: { all: true },
        ...(times.repeatWeeklyUntil === undefined ? {} : { repeatWeeklyUntil: times.repeatWeeklyUntil }),
      }),
    }),
    201,
    'lesson',
  );
  return ((await lessons.json()) as { lessons: { id: string }[] }).lessons.map((l) => l.id);
}

/**
 * `scheduleLessonOverHttp`'s roster and teacher, its lesson started a minute ago, started by its teacher;
 * answers the cookies and every classroom's join token.
 */
export async function liveLessonOverHttp(
  url: string,
  coordinatorCookie: string,
  remote: number,
): Promise<LiveLesson> {
  const now = Date.now();
  const [lessonId] = await scheduleLessonOverHttp(url, coordinatorCookie, remote, {
    startsAt: now - 60_000,
    endsAt: now + 3_600_000,
  });
  if (lessonId === undefined) throw new Error('lesson: none created');
  const signedIn = await expectStatus(
    await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(TEACHER),
    }),
    200,
    'teacher login',
  );
  const teacherCookie = signedIn.headers.getSetCookie()[0]!.split(';')[0]!;
  await expectStatus(
    await fetch(`${url}/api/lessons/${lessonId}/start`, {
      method: 'POST',
      headers: { cookie: teacherCookie },
    }),
    200,
    'lesson start',
  );
  const links = await expectStatus(
    await fetch(`${url}/api/lessons/${lessonId}/links`, { headers: { cookie: coordinatorCookie } }),
    200,
    'join links',
  );
  const { links: list } = (await links.json()) as { links: { url: string }[] };
  const tokens = list.map((l) => new URL(l.url).searchParams.get('t')!);
  return { lessonId, teacherCookie, coordinatorCookie, tokens };
}
