import type { BoardOp } from '@cloudschool/board';
import type { BoardStore } from '../store/BoardStore.ts';

/** Operations read from the store at a time. */
const HISTORY_PAGE = 1000;

/**
 * Every operation a lesson's board kept, in order, with its author and time (what compaction folded into a
 * snapshot included, since the history exists): the replay redraws from it, the S-T analysis reads its times.
 */
export async function boardHistory(
  store: Pick<BoardStore, 'readBoardHistory'>,
  lessonId: string,
): Promise<BoardOp[]> {
  const ops: BoardOp[] = [];
  for (;;) {
    const page = await store.readBoardHistory(lessonId, ops.at(-1)?.seq ?? 0, HISTORY_PAGE);
    ops.push(...page);
    if (page.length < HISTORY_PAGE) return ops;
  }
}
