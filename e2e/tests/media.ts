import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';

type VideoStats = { framesDecoded: number; packetsReceived: number } | null;
type AudioStats = { packetsReceived: number; totalSamplesReceived: number } | null;

export interface InboundStats {
  video: VideoStats;
  audio: AudioStats;
  /** On-stage classrooms' media, by classroom id. */
  stage?: Record<string, { video: VideoStats; audio: AudioStats }>;
  /** Host side: overview tiles being received, by classroom id. */
  grid?: Record<string, { framesDecoded: number; packetsReceived: number }>;
}

/** The classroom page's own getStats() of its current consumers. */
export function inboundStats(page: Page): Promise<InboundStats> {
  return page.evaluate(() => {
    // Declared in web/src/app.d.ts; this project's tsconfig does not see web's globals.
    const hook = (window as { __cloudschool?: { inboundStats(): Promise<InboundStats> } }).__cloudschool;
    if (!hook) throw new Error('classroom page exposes no stats');
    return hook.inboundStats();
  });
}

/** Video frames keep being decoded and audio keeps arriving: two samples, both rising. */
export async function expectReceiving(page: Page): Promise<void> {
  await expect
    .poll(
      async () => {
        const s = await inboundStats(page);
        return (s.video?.framesDecoded ?? 0) > 10 && (s.audio?.packetsReceived ?? 0) > 10;
      },
      { message: 'video frames decoded and audio packets received', intervals: [500] },
    )
    .toBe(true);
  const first = await inboundStats(page);
  await expect
    .poll(
      async () => {
        const s = await inboundStats(page);
        return (
          (s.video?.framesDecoded ?? 0) > (first.video?.framesDecoded ?? 0) &&
          (s.audio?.packetsReceived ?? 0) > (first.audio?.packetsReceived ?? 0) &&
          (s.audio?.totalSamplesReceived ?? 0) > (first.audio?.totalSamplesReceived ?? 0)
        );
      },
      { message: 'frames decoded, audio packets and samples keep rising', intervals: [500] },
    )
    .toBe(true);
}

/** One on-stage classroom's video frames and voice keep arriving at this page: two samples, both rising. */
export async function expectReceivingStage(page: Page, classroomId: string): Promise<void> {
  const sample = async () => (await inboundStats(page)).stage?.[classroomId];
  await expect
    .poll(
      async () =>
        ((await sample())?.video?.framesDecoded ?? 0) > 5 &&
        ((await sample())?.audio?.packetsReceived ?? 0) > 10,
      {
        message: `stage media of ${classroomId} decoded`,
        intervals: [500],
      },
    )
    .toBe(true);
  const first = await sample();
  await expect
    .poll(
      async () => {
        const s = await sample();
        return (
          (s?.video?.framesDecoded ?? 0) > (first?.video?.framesDecoded ?? 0) &&
          (s?.audio?.totalSamplesReceived ?? 0) > (first?.audio?.totalSamplesReceived ?? 0)
        );
      },
      { message: `stage media of ${classroomId} keeps arriving`, intervals: [500] },
    )
    .toBe(true);
}
