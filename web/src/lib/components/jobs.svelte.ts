/**
 * One component's jobs (a lesson request, an export…): which one is running
 * (to disable its button and say so) and the last failure, in the page's
 * language. Free of the socket client, so pages without a lesson link can use
 * it; `Actions` (./action.svelte.ts) is the lesson requests' kind.
 */
import type { I18n } from '#lib/i18n/context.svelte.ts';
import type { Translate } from '#lib/i18n/errors.ts';
import type { MessageKey } from '#lib/i18n/index.ts';

/** The words for a failure: by default the job's own fallback message. */
export type DescribeFailure = (t: Translate, error: unknown, fallback: MessageKey) => string;

const sayFallback: DescribeFailure = (t, _error, fallback) => t(fallback);

export class Jobs {
  /** The running job's name, e.g. `invite:c2`. */
  busy: string | null = $state(null);
  error: string | null = $state(null);
  readonly #i18n: I18n;
  readonly #describe: DescribeFailure;

  constructor(i18n: I18n, describe: DescribeFailure = sayFallback) {
    this.#i18n = i18n;
    this.#describe = describe;
  }

  /** Runs one job at a time; true when it went through. */
  async run(name: string, fallback: MessageKey, work: () => Promise<unknown>): Promise<boolean> {
    if (this.busy !== null) return false;
    this.busy = name;
    this.error = null;
    try {
      await work();
      return true;
    } catch (error) {
      console.warn(`[cloudschool] ${name}`, error);
      this.error = this.#describe(this.#i18n.t, error, fallback);
      return false;
    } finally {
      this.busy = null;
    }
  }
}
