/**
 * A classroom PC says what it is when it asks to join ("Windows · Chrome · 1920×1080"), so that the host
 * teacher can tell the projector PC from a laptop. Read from the user agent and the screen: a hint for a
 * person, never a proof of anything.
 */

/** The protocol's `deviceLabel` limit. */
export const DEVICE_LABEL_MAX = 100;

const systems: [RegExp, string][] = [
  [/Windows Phone/i, 'Windows Phone'],
  [/Windows/i, 'Windows'],
  [/iPhone|iPod/i, 'iPhone'],
  [/iPad/i, 'iPad'],
  [/Android/i, 'Android'],
  [/CrOS/i, 'ChromeOS'],
  [/HarmonyOS|OpenHarmony/i, 'HarmonyOS'],
  [/Mac OS X|Macintosh/i, 'macOS'],
  [/UOS|Deepin/i, 'UOS'],
  [/Linux|X11/i, 'Linux'],
];

/** Most specific first: Chromium's many brands all say "Chrome" too. */
const browsers: [RegExp, string][] = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/QQBrowser\//i, 'QQ 浏览器'],
  [/MetaSr|SogouMobileBrowser/i, '搜狗浏览器'],
  [/360SE|360EE|QihooBrowser/i, '360 浏览器'],
  [/2345Explorer/i, '2345 浏览器'],
  [/UCBrowser\//i, 'UC 浏览器'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chromium\//, 'Chromium'],
  [/Chrome\/|CriOS\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];

const first = (table: [RegExp, string][], ua: string): string | null =>
  table.find(([pattern]) => pattern.test(ua))?.[1] ?? null;

/** What this PC is, from its user agent and (if known) its screen; '' when nothing is recognised. */
export function deviceLabel(userAgent: string, screen?: { width: number; height: number } | null): string {
  const parts = [first(systems, userAgent), first(browsers, userAgent)].filter((p) => p !== null);
  if (screen && screen.width > 0 && screen.height > 0) {
    parts.push(`${Math.round(screen.width)}×${Math.round(screen.height)}`);
  }
  return parts.join(' · ').slice(0, DEVICE_LABEL_MAX);
}

/** This browser's label (in the browser only). */
export function thisDeviceLabel(): string {
  try {
    return deviceLabel(navigator.userAgent, window.screen);
  } catch {
    return '';
  }
}
