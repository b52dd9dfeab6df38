import { describe, expect, it } from 'vitest';
import { requestSchemas } from '@cloudschool/protocol';
import { DEVICE_LABEL_MAX, deviceLabel } from './deviceLabel.ts';

const ua = {
  windowsChrome:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  windowsEdge:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91',
  windowsFirefox: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
  windowsQq:
    'Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/94.0.4606.71 Safari/537.36 Core/1.94.202.400 QQBrowser/11.9.5355.400',
  windowsSogou:
    'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0.4240.198 Safari/537.36 SE 2.X MetaSr 1.0',
  macSafari:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
  linuxChromium:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chromium/120.0.6099.224 Chrome/120.0.0.0 Safari/537.36',
  linuxHeadless:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
  android:
    'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
  chromebook:
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
};

describe('deviceLabel', () => {
  it('names the system and the browser', () => {
    expect(deviceLabel(ua.windowsChrome)).toBe('Windows · Chrome');
    expect(deviceLabel(ua.windowsEdge)).toBe('Windows · Edge');
    expect(deviceLabel(ua.windowsFirefox)).toBe('Windows · Firefox');
    expect(deviceLabel(ua.windowsQq)).toBe('Windows · QQ 浏览器');
    expect(deviceLabel(ua.windowsSogou)).toBe('Windows · 搜狗浏览器');
    expect(deviceLabel(ua.macSafari)).toBe('macOS · Safari');
    expect(deviceLabel(ua.linuxChromium)).toBe('Linux · Chromium');
    expect(deviceLabel(ua.linuxHeadless)).toBe('Linux · Chrome');
    expect(deviceLabel(ua.android)).toBe('Android · Chrome');
    expect(deviceLabel(ua.ipad)).toBe('iPad · Safari');
    expect(deviceLabel(ua.chromebook)).toBe('ChromeOS · Chrome');
  });

  it('adds the screen size when it is known', () => {
    expect(deviceLabel(ua.windowsChrome, { width: 1920, height: 1080 })).toBe('Windows · Chrome · 1920×1080');
    expect(deviceLabel(ua.windowsChrome, { width: 0, height: 0 })).toBe('Windows · Chrome');
    expect(deviceLabel(ua.windowsChrome, null)).toBe('Windows · Chrome');
  });

  it('says nothing it does not recognise, and stays within what the server takes', () => {
    expect(deviceLabel('')).toBe('');
    expect(deviceLabel('curl/8.0')).toBe('');
    const long = deviceLabel(`Windows ${'x'.repeat(500)} Chrome/1`, { width: 1e12, height: 1e12 });
    expect(long.length).toBeLessThanOrEqual(DEVICE_LABEL_MAX);
    const join = { lessonId: 'l1', role: 'classroom', token: 't' };
    for (const agent of [...Object.values(ua), '', long]) {
      const label = deviceLabel(agent, { width: 3840, height: 2160 });
      expect(requestSchemas['lesson:join'].safeParse({ ...join, deviceLabel: label }).success).toBe(true);
    }
  });
});
