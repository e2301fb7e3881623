import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end runs start namespaces and wait on real kernel timers.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each e2e script already runs in its own process; keep files serial so
    // timing-sensitive runs do not compete for the two cores.
    fileParallelism: false,
  },
});
