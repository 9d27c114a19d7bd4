import { defineConfig } from 'vitest/config';

// Server suites run on embedded PGlite always, and again on the PostgreSQL server when DATABASE_URL is set.
const backends = ['pglite', ...(process.env.DATABASE_URL ? ['postgres'] : [])];

export default defineConfig({
  test: {
    globalSetup: ['tests/global-setup.ts'],
    projects: [
      ...backends.map((backend) => ({
        test: {
          name: `server-${backend}`,
          include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
          env: { TEST_DB: backend, TZ: 'Europe/Stockholm' },
          // Generous: CLI and process tests spawn real processes on two cores.
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      })),
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          env: { TZ: 'Europe/Stockholm' },
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One browser at a time: the machine has two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
