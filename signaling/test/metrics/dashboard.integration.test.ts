/**
 * The example Grafana dashboard (infra/grafana/cloudschool-dashboard.json) asks only for what a node exposes:
 * every metric its queries name is in a real scrape, and every label they group by is on that metric's
 * samples (or is one Prometheus adds: instance, job).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ok, request } from '@cloudschool/testkit';
import { seedLiveLesson } from '../support/fixtures.ts';
import { parseExposition } from '../support/exposition.ts';
import { serverPerTest } from '../support/server.ts';

const TOKEN = 'metrics-token-for-the-dashboard-test-42';
const live = serverPerTest(1, { metricsToken: TOKEN });
const DASHBOARD = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../infra/grafana/cloudschool-dashboard.json',
);

interface Panel {
  id: number;
  title: string;
  targets: { expr: string }[];
}

describe('the example Grafana dashboard', () => {
  it('queries only metrics and labels a node exposes', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Panel[] };
    expect(dashboard.uid).toBe('cloudschool-nodes');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);

    // Something in every family: a lesson with a host and a classroom, and a refused join.
    const seeded = await seedLiveLesson(live.server, 2);
    const host = await live.client(seeded.teacherCookie);
    await ok(host, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
    const classroom = await live.client();
    await ok(classroom, 'lesson:join', {
      lessonId: seeded.lessonId,
      role: 'classroom',
      token: seeded.tokens[0],
    });
    const refused = await request(await live.client(), 'lesson:join', {
      lessonId: seeded.lessonId,
      role: 'classroom',
      token: 'not-a-token',
    });
    expect(refused.ok).toBe(false);
    const res = await fetch(`${live.server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const families = parseExposition(await res.text());

    let queried = 0;
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets) {
        const names = [...expr.matchAll(/\b(cloudschool_\w+|process_\w+|nodejs_\w+)\b/g)].map((m) => m[1]!);
        expect(names.length, expr).toBeGreaterThan(0);
        const labels = [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) =>
          m[1]!.split(',').map((l) => l.trim()),
        );
        for (const name of names) {
          const family = families.get(name);
          expect(family, `${panel.title}: ${name}`).toBeDefined();
          expect(family!.samples.length, `${panel.title}: ${name} has samples`).toBeGreaterThan(0);
          for (const label of labels) {
            if (label === 'instance' || label === 'job') continue;
            expect(
              family!.samples.every((s) => label in s.labels),
              `${name} by ${label}`,
            ).toBe(true);
          }
          queried++;
        }
      }
    }
    expect(queried).toBeGreaterThanOrEqual(15);
  });
});
