/**
 * The pages of `npm run chaos` and what is read from them: a classroom page opened at a node's address (frame
 * sampler, `lan` link profile so it can be cut), the host's console, waiting for steady decoding, observing
 * after an event, and each page's outcome (dark periods, what it showed, its timeline).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from '@playwright/test';
import type { LiveLesson } from '@cloudschool/testkit';
import { applyProfile } from '@cloudschool/testkit/netlab';
import { darkText } from './chaosReport.ts';
import type { PageOutcome } from './chaosReport.ts';
import { darkAround, steady } from './darkPeriods.ts';
import { addFrameSampler, PageRecord } from './frameSampler.ts';
import { broadcastFromHostPage } from './hostPage.ts';
import { round, sleep } from './report.ts';

export interface MediaReport {
  participants: { peerId: string; role: string; classroomId: string | null; workerPid: number | null }[];
  workers: { pid: number; peers: number; consumers: number }[];
}

export async function mediaReport(nodeUrl: string, lesson: LiveLesson): Promise<MediaReport> {
  const res = await fetch(`${nodeUrl}/api/lessons/${lesson.lessonId}/media`, {
    headers: { cookie: lesson.coordinatorCookie },
  });
  if (res.status !== 200) throw new Error(`media report at ${nodeUrl}: ${res.status} ${await res.text()}`);
  return (await res.json()) as MediaReport;
}

export interface JoinLink {
  classroomId: string;
  token: string;
}

export async function joinLinks(nodeUrl: string, lesson: LiveLesson): Promise<JoinLink[]> {
  const res = await fetch(`${nodeUrl}/api/lessons/${lesson.lessonId}/links`, {
    headers: { cookie: lesson.coordinatorCookie },
  });
  const { links } = (await res.json()) as { links: { classroomId: string; url: string }[] };
  return links.map((l) => ({ classroomId: l.classroomId, token: new URL(l.url).searchParams.get('t')! }));
}

export interface Room {
  name: string;
  classroomId: string;
  nodeUrl: string;
  nodeName: string;
  record: PageRecord;
}

export async function openClassroom(
  browser: Browser,
  nodeUrl: string,
  nodeName: string,
  lesson: LiveLesson,
  link: JoinLink,
  n: number,
): Promise<Room> {
  // Pages behind the test's Caddy get its own CA's certificate, which this browser does not know.
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  await addFrameSampler(context);
  const page = await context.newPage();
  // A link profile before the page connects, or its WebRTC would not notice a cut later.
  await applyProfile(page, 'lan');
  await page.goto(`${nodeUrl}/classroom/${lesson.lessonId}?t=${link.token}`);
  const name = `classroom ${n}`;
  return { name, classroomId: link.classroomId, nodeUrl, nodeName, record: new PageRecord(name, page) };
}

/**
 * The host's console, broadcasting; tried twice (a first load can fail when the UI is rebuilt under it: another
 * tenant's `npm run build`), the failed page's context closed.
 */
export async function openHost(browser: Browser, nodeUrl: string, lesson: LiveLesson): Promise<PageRecord> {
  for (let attempt = 1; ; attempt++) {
    const contexts = new Set(browser.contexts());
    try {
      const host = await broadcastFromHostPage(browser, nodeUrl, lesson.lessonId, lesson.teacherCookie, {
        prepare: (context) => addFrameSampler(context, { tracked: true }),
      });
      return new PageRecord('host', host.page);
    } catch (error) {
      for (const context of browser.contexts()) if (!contexts.has(context)) await context.close();
      if (attempt === 2) throw error;
    }
  }
}

export async function pullAll(records: PageRecord[]): Promise<void> {
  await Promise.all(records.map((r) => r.pull()));
}

/**
 * After the pages joined: `ms` for the host's encoder and bandwidth estimate to settle (its first seconds
 * change resolution and bitrate), pulling samples meanwhile.
 */
export async function warmUp(rooms: Room[], host: PageRecord, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await sleep(1000);
    await pullAll([host, ...rooms.map((r) => r.record)]);
  }
}

/** Until every classroom has decoded steadily for 3 s (max 60 s). */
export async function waitSteady(rooms: Room[], host: PageRecord): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    await pullAll([host, ...rooms.map((r) => r.record)]);
    const lagging = rooms.filter((r) => !steady(r.record.samples, 'video', Date.now(), 3000));
    if (lagging.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`not decoding steadily after 60 s: ${lagging.map((r) => r.name).join(', ')}`);
    }
    await sleep(500);
  }
}

/**
 * Pulls the pages' samples until `minMs` after `from` has passed and every classroom has decoded steadily for
 * the last 2 s, or until `maxMs`. Answers when it stopped.
 */
export async function observe(
  rooms: Room[],
  host: PageRecord,
  from: number,
  minMs: number,
  maxMs: number,
): Promise<number> {
  for (;;) {
    await sleep(500);
    await pullAll([host, ...rooms.map((r) => r.record)]);
    const now = Date.now();
    if (now >= from + maxMs) return now;
    if (now >= from + minMs && rooms.every((r) => steady(r.record.samples, 'video', now, 2000))) return now;
  }
}

/** What a page showed from shortly before the event to the end, as "live", "reconnecting +0.4 s", … */
export function shownSince(
  record: PageRecord,
  event: number,
  until: number,
  pick: (shown: string) => string,
): string[] {
  const out: string[] = [];
  const first = record.shownAt(event);
  let last = first === undefined ? undefined : pick(first);
  if (last !== undefined) out.push(last);
  for (const c of record.shown) {
    if (c.at <= event || c.at > until) continue;
    const v = pick(c.shown);
    if (v === last) continue;
    last = v;
    out.push(`${v} ${c.at - event >= 0 ? '+' : ''}${round((c.at - event) / 1000, 1)} s`);
  }
  return out;
}

/** CHAOS_RAW=<dir>: every scenario's raw samples and timelines, from 5 s before the event, as <dir>/<scenario>.json. */
export function keepRaw(key: string, at: number, end: number, records: PageRecord[]): void {
  const dir = process.env.CHAOS_RAW;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const from = at - 5000;
  const within = <T extends { at: number } | [number, ...number[]]>(list: T[]): T[] =>
    list.filter((x) => {
      const t = Array.isArray(x) ? x[0] : x.at;
      return t >= from && t <= end;
    });
  writeFileSync(
    path.join(dir, `${key}.json`),
    JSON.stringify({
      at,
      end,
      pages: records.map((r) => ({
        name: r.name,
        samples: within(r.samples),
        shown: within(r.shown),
        timeline: within(r.timeline),
      })),
    }),
  );
}

export const classroomStatus = (shown: string): string => shown.replace(/^status=/, '');
export const signed = (ms: number | null): string =>
  ms === null ? '–' : `${ms >= 0 ? '+' : ''}${round(ms / 1000, 1)} s`;

/** The host's tiles for one classroom ("on", "off", "on,off" for two, "none") and the classroom count. */
export function hostView(classroomId: string) {
  return (shown: string): string => {
    const count = /count=(\S*)/.exec(shown)?.[1] ?? '?';
    const tiles = (/tiles=(\S*)/.exec(shown)?.[1] ?? '')
      .split(',')
      .filter((t) => t.startsWith(`${classroomId}:`))
      .map((t) => t.split(':')[1]);
    return `tile ${tiles.length ? tiles.join('+') : 'none'}, count ${count}`;
  };
}

export function outcome(
  room: Room,
  where: string,
  hit: boolean,
  event: number,
  until: number,
  host?: PageRecord,
): PageOutcome {
  const video = darkAround(room.record.samples, 'video', event, until);
  const notes: string[] = [];
  // The host's own camera stalled over most of the same time (its browser short of CPU): not the SFU's doing.
  const stall = host ? darkAround(host.samples, 'sent', event, until) : null;
  if (stall && video.toMs !== null && stall.toMs !== null && stall.fromMs !== null && video.fromMs !== null) {
    const overlap = Math.min(video.toMs, stall.toMs) - Math.max(video.fromMs, stall.fromMs);
    if (stall.longestMs >= 500 && overlap >= video.longestMs / 2) {
      notes.push(`the host's camera stalled then too (${signed(stall.fromMs)} → ${signed(stall.toMs)})`);
    }
  }
  return {
    page: room.name,
    where,
    hit,
    video,
    audio: darkAround(room.record.samples, 'audio', event, until),
    shown: shownSince(room.record, event - 1000, until, classroomStatus),
    notes,
    timeline: hit ? timeline(room.record, event, until) : [],
  };
}

/** Ids in console lines cut to their first 8 characters. */
const shortIds = (text: string): string => text.replace(/\b([0-9a-f]{8})-[0-9a-f-]{27}\b/g, '$1…');

/**
 * The page's timeline from just before the event to `until`, readable: a WebSocket attempt the browser refused
 * at once (opened, then its console error) is one entry, and the same entry repeated is folded into one with
 * its times ("WebSocket refused (net::ERR_INTERNET_DISCONNECTED) +1.5, +3.5, +9.4 s"). At most 16 entries.
 */
function timeline(record: PageRecord, event: number, until: number): string[] {
  const raw = record.timeline.filter((e) => e.at >= event - 500 && e.at <= until);
  const entries: { at: number; what: string }[] = [];
  for (const e of raw) {
    const refused = /^console error: WebSocket connection to .* failed: (?:.*?)(net::[A-Z_]+)/.exec(e.shown);
    if (refused) {
      const prev = entries.at(-1);
      const to = /WebSocket connection to '\w+:\/\/([^/]+)\//.exec(e.shown)?.[1] ?? '?';
      if (prev?.what.startsWith('WebSocket open') && e.at - prev.at < 500) entries.pop();
      entries.push({ at: e.at, what: `WebSocket to ${to} refused (${refused[1]})` });
      continue;
    }
    // The refused attempt's own close adds nothing.
    if (e.shown === 'WebSocket closed' && / refused \(/.test(entries.at(-1)?.what ?? '')) continue;
    entries.push({
      at: e.at,
      // A console error's stack trace adds nothing here: its first line.
      what: shortIds(e.shown.split('\n')[0]!.replace(/^console (\w+): (?:\[cloudschool\] )?/, '$1: ')),
    });
  }
  const folded: { what: string; times: number[] }[] = [];
  for (const e of entries) {
    const prev = folded.at(-1);
    if (prev?.what === e.what) prev.times.push(e.at);
    else folded.push({ what: e.what, times: [e.at] });
  }
  const text = folded.map(
    (f) =>
      `${f.what} ${f.times
        .slice(0, 6)
        .map((t) => signed(t - event).replace(/ s$/, ''))
        .join(', ')}${f.times.length > 6 ? ` … (${f.times.length}×)` : ''} s`,
  );
  return text.length > 16 ? [...text.slice(0, 15), `… ${text.length - 15} more`] : text;
}

/**
 * The host's camera over the window (frames its page encoded): a freeze every classroom shares starts here
 * when the host's browser itself stalled (CPU), not in the SFU.
 */
export function hostCamera(host: PageRecord, event: number, until: number): string {
  const d = darkAround(host.samples, 'sent', event, until);
  return `the host's camera (frames its page encoded): longest gap ${darkText(d)}, quiet-time noise ${round(d.baselineMs / 1000, 1)} s`;
}

/** The longest dark among these pages, and whether one is not back. */
export function worst(pages: PageOutcome[]): { ms: number | null; open: boolean } {
  if (pages.length === 0) return { ms: null, open: false };
  const w = pages.reduce((a, b) => (b.video.longestMs > a.video.longestMs ? b : a));
  return { ms: w.video.longestMs, open: w.video.toMs === null };
}
