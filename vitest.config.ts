import { defineConfig } from 'vitest/config';

const shared = {
  // Temporal's native bridge wants real processes, and each file starts its own servers.
  pool: 'forks' as const,
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        test: {
          ...shared,
          name: 'suite',
          // The PostgreSQL server of the integration tests: TEST_DATABASE_URL, or an embedded one when none answers.
          globalSetup: ['test/global-setup.ts'],
          setupFiles: ['test/setup.ts', 'test/properties.ts'],
          include: ['test/**/*.test.ts'],
          exclude: ['test/chaos/**'],
        },
      },
      // The fault-injection run starts a whole system of its own and kills parts of it on timing: it runs
      // alone, after everything else, so other test files neither slow it down nor are slowed by it.
      { test: { ...shared, name: 'chaos', include: ['test/chaos/**/*.test.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
