import type { BoardState } from '@cloudschool/board';
import type { LessonInbound, ScreenInbound } from '#lib/client/inboundStats.ts';
import type { QualityInfo, SessionInfo } from '#lib/client/livePage.svelte.ts';
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
     * (the host's media, each on-stage classroom's, each grid tile's camera),
     * and its whiteboard.
     */
    __cloudschool?: {
      inboundStats: () => Promise<LessonInbound>;
      /** getStats() of the host's shared screen as this page decodes it (null: none received). */
      screenStats: () => Promise<ScreenInbound | null>;
      /** Who this page is in the lesson (peer id), its link's phase, joins, resumes, ICE restarts, recoveries. */
      session: () => SessionInfo;
      /** The page's last quality report and the server's verdict (the patrol reports nothing). */
      quality: () => QualityInfo;
      /**
       * Pages with a whiteboard (host, classroom, patrol): the replica's last applied seq and its
       * reduced state (what the server's board is, up to headSeq).
       */
      board?: () => { headSeq: number; state: BoardState };
      /**
       * A PNG data URL of a page as drawn (the whole page, with its courseware); the shown page by default,
       * 1 pixel per page unit unless `scale` says otherwise (the export buttons' is EXPORT_SCALE).
       */
      boardPng?: (pageId?: string, scale?: number) => Promise<string>;
    };
    /** Set by the replay page (routes/replay/): seek it, read what it shows (web/test-hooks.md). */
    __cloudschoolReplay?: {
      /** Pauses, moves to a wall-clock time (ms), resolves once the video's frame and the board are there. */
      seek: (at: number) => Promise<void>;
      state: () => {
        time: number;
        playing: boolean;
        board: BoardState | null;
        /** The ffmpeg run whose WebM is loaded (null: none yet). */
        run: number | null;
        videoSeconds: number;
      };
    };
  }
}

export {};
