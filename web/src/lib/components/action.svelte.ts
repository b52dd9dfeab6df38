/**
 * One component's lesson requests: which one is running (to disable its
 * button and say so) and the last refusal, in the page's language.
 */
import type { I18n } from '#lib/i18n/context.svelte.ts';
import type { MessageKey } from '#lib/i18n/index.ts';
import { actionErrorText } from './actionError.ts';

export class Actions {
  /** The running request's name, e.g. `invite:c2`. */
  busy: string | null = $state(null);
  error: string | null = $state(null);
  readonly #i18n: I18n;

  constructor(i18n: I18n) {
    this.#i18n = i18n;
  }

  /** Runs one request at a time; true when it went through. */
  async run(name: string, fallback: MessageKey, work: () => Promise<unknown>): Promise<boolean> {
    if (this.busy !== null) return false;
    this.busy = name;
    this.error = null;
    try {
      await work();
      return true;
    } catch (error) {
      console.warn(`[cloudschool] ${name}`, error);
      this.error = actionErrorText(this.#i18n.t, error, fallback);
      return false;
    } finally {
      this.busy = null;
    }
  }
}
