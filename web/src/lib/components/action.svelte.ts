/**
 * One component's lesson requests: which one is running (to disable its
 * button and say so) and the last refusal, in the page's language, its
 * general causes (no link, too fast, …) said as such.
 */
import type { I18n } from '#lib/i18n/context.svelte.ts';
import { actionErrorText } from './actionError.ts';
import { Jobs } from './jobs.svelte.ts';

export class Actions extends Jobs {
  constructor(i18n: I18n) {
    super(i18n, actionErrorText);
  }
}
