/** Debian's Chromium as in e2e/playwright.config.ts: fake camera and microphone, never a downloaded browser. */
import { chromium } from '@playwright/test';
import type { Browser } from '@playwright/test';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      // Canary classrooms play sound without the tutor's click.
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}
