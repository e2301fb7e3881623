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
    // A run that failed on timing alone runs again, twice at most: this
    // machine is a VM whose vCPUs the host takes away now and then (steal
    // time), for milliseconds, which says nothing about the kernel. Scripts
    // whose expected failure is a timing error fail the same way each time.
    env: { PKTDRILL_TIMING_RETRIES: '2' },
  },
});
