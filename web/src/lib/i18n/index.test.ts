import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { parseLang, translate } from './index.ts';
import { zhCN } from './zh-CN.ts';

describe('i18n', () => {
  it('renders Chinese unless English was chosen', () => {
    expect(parseLang(undefined)).toBe('zh-CN');
    expect(parseLang('fr')).toBe('zh-CN');
    expect(parseLang('en')).toBe('en');
    expect(parseLang('zh-CN')).toBe('zh-CN');
  });

  it('fills in variables and leaves unknown ones visible', () => {
    expect(translate('zh-CN', 'host.lesson', { lessonId: 'math-101' })).toBe('课程号 math-101');
    expect(translate('en', 'device.cameraN', { n: 2 })).toBe('Camera 2');
    expect(translate('en', 'host.lesson')).toBe('Lesson {lessonId}');
  });

  it('uses the same variables in both languages', () => {
    const names = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
    const chinese = new Map<string, string>(Object.entries(zhCN));
    for (const [key, text] of Object.entries(en)) {
      expect(names(text), key).toEqual(names(chinese.get(key) ?? ''));
    }
  });
});
