import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: [
            '{protocol,db,server,edge-agent,models}/src/**/*.test.ts',
            'edge-agent/test/**/*.test.ts',
            'test/fuzz/**/*.test.ts',
            'test/integration/**/*.test.ts',
            'test/e2e/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // The dashboard's component tests (happy-dom and the Svelte compiler): dashboard/vitest.config.ts.
      'dashboard',
    ],
    // Integration suites start servers on random ports; two workers fit the 2-core machines.
    maxWorkers: 2,
  },
});
