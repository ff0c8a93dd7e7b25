import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/src/**/*.test.ts', 'server/test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['server/test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Polls wait for a busy CI machine; a budget that matters is measured in the test itself.
    expect: { poll: { timeout: 15_000 } },
    // Two cores here: more workers only queue on the CPU and on argon2.
    maxWorkers: 2,
  },
});
