import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'board/test/**/*.test.ts',
      'protocol/test/**/*.test.ts',
      'sfu/test/**/*.test.ts',
      'signaling/test/**/*.test.ts',
      'web/src/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real mediasoup workers on fixed ports: run files one at a time.
    fileParallelism: false,
  },
});
