/**
 * The page's current language as reactive state, shared through Svelte
 * context (not a module-level store: on the server a module is shared by all
 * requests).
 */
import { createContext } from 'svelte';
import { langCookie, translate, type Lang, type MessageKey, type Vars } from './index.ts';

const ONE_YEAR_S = 365 * 24 * 3600;

export class I18n {
  lang: Lang = $state('zh-CN');

  constructor(lang: Lang) {
    this.lang = lang;
  }

  t = (key: MessageKey, vars?: Vars): string => translate(this.lang, key, vars);

  /** Switches in place and remembers the choice for the next server render. */
  set(lang: Lang): void {
    this.lang = lang;
    document.cookie = `${langCookie}=${lang}; Path=/; Max-Age=${ONE_YEAR_S}; SameSite=Lax`;
    document.documentElement.lang = lang;
  }
}

const [getI18n, setI18n] = createContext<I18n>();

export function provideI18n(lang: Lang): I18n {
  return setI18n(new I18n(lang));
}

export { getI18n };
