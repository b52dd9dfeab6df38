/**
 * The two browsers of `npm run bench:networks`: the host teacher's console in one, the classroom pages in the
 * other. In a lesson they are different computers; here they share two cores, and five classroom pages decoding
 * took the host's encoder's time: its 720p layer fell to 20–26 fps in the adaptive half (three layers to encode)
 * and every classroom's frame rate followed it. So the classrooms' browser runs at a lower priority (nice 10,
 * which any user may set): the host encodes as its own PC would, and the classrooms get the rest.
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import type { Browser } from '@playwright/test';
import { launchChromium } from './chromium.ts';
import { listProcesses, processTree } from './procStats.ts';

export const CLASSROOM_NICE = 10;

export interface LabBrowsers {
  host: Browser;
  classrooms: Browser;
  /** The host browser's processes and the classroom browser's, now. */
  pids(): { host: number[]; classrooms: number[] };
  /**
   * Lowers every thread of the classroom browser's processes (nice is per thread on Linux; threads and
   * processes made later inherit it from the one that made them): call once its pages are open.
   */
  yieldToHost(): void;
  close(): Promise<void>;
}

/** This process's children now: a browser launched next is the one child not among them. */
const children = (): Set<number> =>
  new Set(
    listProcesses()
      .filter((p) => p.ppid === process.pid)
      .map((p) => p.pid),
  );

async function launchOwn(args: readonly string[]): Promise<{ browser: Browser; pid: number }> {
  const before = children();
  const browser = await launchChromium(args);
  const pid = [...children()].find((p) => !before.has(p));
  if (pid === undefined) throw new Error("could not tell the new browser's process");
  return { browser, pid };
}

export async function launchLabBrowsers(args: readonly string[]): Promise<LabBrowsers> {
  const host = await launchOwn(args);
  const classrooms = await launchOwn(args).catch(async (error: unknown) => {
    await host.browser.close();
    throw error;
  });
  return {
    host: host.browser,
    classrooms: classrooms.browser,
    pids: () => {
      const processes = listProcesses();
      return { host: processTree(host.pid, processes), classrooms: processTree(classrooms.pid, processes) };
    },
    yieldToHost: () => {
      for (const pid of processTree(classrooms.pid)) {
        let threads: string[];
        try {
          threads = readdirSync(`/proc/${pid}/task`);
        } catch {
          continue; // exited meanwhile
        }
        for (const tid of threads) {
          try {
            os.setPriority(Number(tid), CLASSROOM_NICE);
          } catch {
            // exited meanwhile
          }
        }
      }
    },
    close: async () => {
      await Promise.all([host.browser.close(), classrooms.browser.close()]);
    },
  };
}
