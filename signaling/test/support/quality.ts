import type { QualityReport } from '@cloudschool/protocol';

type Received = NonNullable<QualityReport['received']>;

/**
 * A classroom's quality report of a clean 720p30 receive (what a good link reports), with what a test
 * changes in it.
 */
export function receivingReport(
  video: Partial<NonNullable<Received['video']>> = {},
  audio: Partial<NonNullable<Received['audio']>> = {},
  rttMs = 20,
): QualityReport {
  return {
    intervalMs: 5000,
    sent: null,
    received: {
      video: {
        width: 1280,
        height: 720,
        fps: 30,
        freezes: 0,
        freezeMs: 0,
        lossPercent: 0,
        jitterBufferMs: 40,
        kbps: 1500,
        ...video,
      },
      audio: { lossPercent: 0, concealedPercent: 0, jitterMs: 5, ...audio },
      rttMs,
      availableKbps: 5000,
    },
  };
}
