import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['server/**/*.test.ts', 'fixtures/**/*.test.ts', 'test/**/*.test.ts'],
          setupFiles: ['test/setup.ts'],
        },
      },
      {
        // The black-box contract suite against the compiled mock on a real port, with every persona.
        extends: true,
        test: {
          name: 'contract',
          include: ['contract-tests/**/*.contract.ts'],
          globalSetup: ['test/contract-global-setup.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
