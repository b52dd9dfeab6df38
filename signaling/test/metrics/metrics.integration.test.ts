/**
 * GET /metrics on a real server (real mediasoup workers, Socket.IO clients, RTP): scraped with its token,
 * read by a strict parser, its figures follow a host and a classroom joining, publishing, consuming, a refused
 * join, a quality report, and everyone leaving; refused without the token or with a wrong one; absent when
 * METRICS_TOKEN is not set.
 */
import { describe, expect, it } from 'vitest';
import { ok, publish, request, subscribe, waitFor } from '@cloudschool/testkit';
import { forgedToken, seedLiveLesson } from '../support/fixtures.ts';
import { parseExposition, sampleValue, sumOf } from '../support/exposition.ts';
import type { ParsedFamily } from '../support/exposition.ts';
import { serverPerTest } from '../support/server.ts';
import { receivingReport } from '../support/quality.ts';

const TOKEN = 'metrics-token-for-the-tests-0123456789';
const live = serverPerTest(1, { metricsToken: TOKEN });

async function scrape(token = TOKEN): Promise<Map<string, ParsedFamily>> {
  const res = await fetch(`${live.server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await res.text());
}

const good = receivingReport();

describe('GET /metrics', () => {
  it('shows an idle node, then follows a real lesson: pages, media, a refusal, quality, and the end', async () => {
    const idle = await scrape();
    expect(sampleValue(idle, 'cloudschool_lessons_live')).toBe(0);
    for (const role of ['host', 'classroom', 'observer']) {
      expect(sampleValue(idle, 'cloudschool_pages', { role })).toBe(0);
    }
    expect(sampleValue(idle, 'cloudschool_classrooms_connected')).toBe(0);
    expect(sampleValue(idle, 'cloudschool_socketio_connections')).toBe(0);
    expect(sampleValue(idle, 'cloudschool_media_workers_alive')).toBe(1);
    expect(sumOf(idle, 'cloudschool_media_worker_producers')).toBe(0);
    expect(sumOf(idle, 'cloudschool_media_worker_consumers')).toBe(0);
    expect(idle.get('cloudschool_join_refusals_total')?.samples).toEqual([]);
    expect(sampleValue(idle, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(sampleValue(idle, 'cloudschool_unhandled_rejections_total')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(idle, 'cloudschool_event_loop_lag_max_seconds')).toBeGreaterThanOrEqual(0);
    const pid = String(live.server.sfu.workers[0]!.pid);
    expect(
      sampleValue(idle, 'cloudschool_media_worker_cpu_seconds_total', { pid, mode: 'user' }),
    ).toBeGreaterThan(0);

    const seeded = await seedLiveLesson(live.server, 2);
    const host = await live.client(seeded.teacherCookie);
    const classroom = await live.client();
    const forged = await live.client();
    await ok(host, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
    const joined = await ok(classroom, 'lesson:join', {
      lessonId: seeded.lessonId,
      role: 'classroom',
      token: seeded.tokens[0],
    });
    const refused = await request(forged, 'lesson:join', {
      lessonId: seeded.lessonId,
      role: 'classroom',
      token: forgedToken(seeded.tokens[1]!),
    });
    if (refused.ok) throw new Error('a forged token joined');
    const producerIds = await publish(host, live.sender());
    const sink = live.sink();
    await subscribe(classroom, await sink.bind(), producerIds, joined.routerRtpCapabilities);

    const during = await scrape();
    expect(sampleValue(during, 'cloudschool_lessons_live')).toBe(1);
    expect(sampleValue(during, 'cloudschool_pages', { role: 'host' })).toBe(1);
    expect(sampleValue(during, 'cloudschool_pages', { role: 'classroom' })).toBe(1);
    expect(sampleValue(during, 'cloudschool_pages', { role: 'observer' })).toBe(0);
    expect(sampleValue(during, 'cloudschool_classrooms_connected')).toBe(1);
    expect(sampleValue(during, 'cloudschool_socketio_connections')).toBe(3);
    expect(sampleValue(during, 'cloudschool_classrooms_quality', { level: 'unknown' })).toBe(1);
    expect(
      sampleValue(during, 'cloudschool_join_refusals_total', {
        event: 'lesson:join',
        code: refused.error.code,
      }),
    ).toBe(1);
    // One worker (the test server has no ingest worker): the host's send transport with its camera and
    // microphone, the classroom's receive transport with its two consumers.
    expect(sampleValue(during, 'cloudschool_media_worker_routers', { pid })).toBe(1);
    expect(sampleValue(during, 'cloudschool_media_worker_transports', { pid })).toBe(2);
    expect(sampleValue(during, 'cloudschool_media_worker_producers', { pid })).toBe(2);
    expect(sampleValue(during, 'cloudschool_media_worker_consumers', { pid })).toBe(2);

    expect(await ok(classroom, 'quality:report', good)).toEqual({ level: 'good', hint: 'none' });
    const reported = await scrape();
    expect(sampleValue(reported, 'cloudschool_classrooms_quality', { level: 'good' })).toBe(1);
    expect(sampleValue(reported, 'cloudschool_classrooms_quality', { level: 'unknown' })).toBe(0);

    host.disconnect();
    classroom.disconnect();
    forged.disconnect();
    await waitFor(() => live.server.app.lessons.size === 0, 'the lesson closes on this node');
    const after = await scrape();
    expect(sampleValue(after, 'cloudschool_lessons_live')).toBe(0);
    expect(sampleValue(after, 'cloudschool_classrooms_connected')).toBe(0);
    expect(sampleValue(after, 'cloudschool_media_worker_routers', { pid })).toBe(0);
    expect(sampleValue(after, 'cloudschool_media_worker_transports', { pid })).toBe(0);
    expect(sampleValue(after, 'cloudschool_media_worker_producers', { pid })).toBe(0);
    expect(sampleValue(after, 'cloudschool_media_worker_consumers', { pid })).toBe(0);
    // Counters do not go back.
    expect(
      sampleValue(after, 'cloudschool_join_refusals_total', {
        event: 'lesson:join',
        code: refused.error.code,
      }),
    ).toBe(1);
  });

  it('counts what a replacement worker carries after a worker is killed', async () => {
    const [oldPid] = live.server.sfu.workerPids;
    const replaced = new Promise<number>((resolve) =>
      live.server.sfu.once('workerreplaced', ({ pid }) => resolve(pid)),
    );
    process.kill(oldPid!, 'SIGKILL');
    const newPid = String(await replaced);
    const seeded = await seedLiveLesson(live.server, 1);
    const host = await live.client(seeded.teacherCookie);
    await ok(host, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
    await publish(host, live.sender());
    const families = await scrape();
    expect(sampleValue(families, 'cloudschool_media_workers_alive')).toBe(1);
    expect(families.get('cloudschool_media_worker_producers')?.samples).toEqual([
      { labels: { pid: newPid }, value: 2 },
    ]);
  });

  it('refuses a scrape without the token, with a wrong one, or not as a bearer token', async () => {
    const url = `${live.server.url}/metrics`;
    const attempts: (Record<string, string> | undefined)[] = [
      undefined,
      { authorization: `Bearer ${TOKEN.slice(0, -1)}X` },
      { authorization: `Bearer ${TOKEN}extra` },
      { authorization: 'Bearer ' },
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const res = await fetch(url, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await res.text()).not.toContain('cloudschool_');
    }
    await scrape();
  });

  it('is not there when METRICS_TOKEN is not set', async () => {
    const server = await live.restart(1, {});
    for (const headers of [undefined, { authorization: `Bearer ${TOKEN}` }]) {
      const res = await fetch(`${server.url}/metrics`, { headers });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('cloudschool_');
    }
  });
});
