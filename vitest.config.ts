import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // Pure logic beside the code it tests: no servers, no databases.
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'subgraphs/*/src/**/*.test.ts', 'gateway/src/**/*.test.ts', 'schema-registry/src/**/*.test.ts', 'scripts/**/*.test.ts', 'frontend-sdk/*.test.ts', 'frontend-sdk/src/**/*.test.ts', 'frontend-sdk/examples/storefront/src/**/*.test.ts'],
        },
      },
      {
        // The whole supergraph over real HTTP, on real PostgreSQL when DATABASE_URL is set.
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          globalSetup: ['tests/global-setup.ts'],
          // Files share one stack and read its counters: run them one after another.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
