/** Debian's Chromium as e2e starts it; canary classrooms also play sound without the tutor's click. */
import { chromium } from '@playwright/test';
import type { Browser } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '@cloudschool/testkit/chromium';

/** @param args more switches (e.g. `--use-file-for-fake-audio-capture=…`: a microphone that plays a file). */
export function launchChromium(args: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required', ...args],
  });
}
