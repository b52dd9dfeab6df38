/**
 * Languages and dictionaries. Pure module: used by the server hook (to render
 * the chosen language) and by the browser (to switch without a reload, which
 * would drop a live lesson).
 */
import { en } from './en.ts';
import { zhCN, type MessageKey, type Messages } from './zh-CN.ts';

export type { MessageKey } from './zh-CN.ts';

/** The product's name is not translated: both spellings appear in every language. */
export const brand = { zh: '智慧云校', latin: 'CloudSchool' } as const;

export const langs = ['zh-CN', 'en'] as const;
export type Lang = (typeof langs)[number];
export const defaultLang: Lang = 'zh-CN';

/** The cookie that remembers the choice, read by hooks.server.ts. */
export const langCookie = 'lang';

const dictionaries: Record<Lang, Messages> = { 'zh-CN': zhCN, en };

export function isLang(value: string | undefined): value is Lang {
  return langs.some((lang) => lang === value);
}

/** The language to render for a cookie value; anything unknown falls back to Chinese. */
export function parseLang(value: string | undefined): Lang {
  return isLang(value) ? value : defaultLang;
}

export type Vars = Readonly<Record<string, string | number>>;

export function translate(lang: Lang, key: MessageKey, vars?: Vars): string {
  const text = dictionaries[lang][key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    return value === undefined ? whole : String(value);
  });
}
