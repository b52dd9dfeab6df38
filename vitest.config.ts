import { defineConfig } from 'vitest/config';

/**
 * Recordings run real ffmpeg in real time: their files mostly wait for segments to be written, so
 * `npm run test:unit` runs them as a second Vitest process beside the rest (`--project recording`) instead of
 * after it. Its output is held and printed after the rest's (all of it if it failed, else its summary), so a failure
 * in either lane is at the end of the log, where CI's excerpt is. `npx vitest run` runs both projects, one file at a time.
 */
const RECORDING = [
  'signaling/test/recording/**/*.test.ts',
  'signaling/test/lesson/LessonRecording.integration.test.ts',
  'signaling/test/cluster/recording.cluster.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real mediasoup workers and servers: one file at a time keeps 2 cores sane.
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: [
            'board/test/**/*.test.ts',
            'protocol/test/**/*.test.ts',
            'sfu/test/**/*.test.ts',
            'testkit/test/**/*.test.ts',
            'signaling/test/**/*.test.ts',
            'web/src/**/*.test.ts',
          ],
          exclude: RECORDING,
        },
      },
      {
        extends: true,
        // A recording test runs in real time (one records 20 s, kills the server and plays back what it wrote):
        // its timeout guards against a hang, and 30 s was too close to its own length on a busy machine.
        test: { name: 'recording', include: RECORDING, testTimeout: 120_000 },
      },
    ],
  },
});
