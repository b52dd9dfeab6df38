import type { LessonInbound } from '#lib/client/inboundStats.ts';
import type { Lang } from '#lib/i18n/index.ts';

declare global {
  namespace App {
    interface Locals {
      /** From the `lang` cookie, resolved in hooks.server.ts. */
      lang: Lang;
    }
    interface PageData {
      lang: Lang;
    }
  }

  interface Window {
    /**
     * Set by the classroom page, the host console and the patrol page, for the
     * e2e tests and for diagnosing a classroom on site: what this page receives
     * (the host's media, each on-stage classroom's, each grid tile's camera).
     */
    __cloudschool?: {
      inboundStats: () => Promise<LessonInbound>;
    };
  }
}

export {};
