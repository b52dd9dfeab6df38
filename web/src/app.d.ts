import type { InboundStats } from '#lib/client/inboundStats.ts';
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
    /** Set by the classroom page, for the e2e tests and for diagnosing a classroom on site. */
    __cloudschool?: {
      inboundStats: () => Promise<InboundStats>;
    };
  }
}

export {};
