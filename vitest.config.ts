import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'board/test/**/*.test.ts',
      'protocol/test/**/*.test.ts',
      'sfu/test/**/*.test.ts',
      'testkit/test/**/*.test.ts',
      'signaling/test/**/*.test.ts',
      'web/src/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real mediasoup workers and servers: one file at a time keeps 2 cores sane.
    fileParallelism: false,
  },
});
