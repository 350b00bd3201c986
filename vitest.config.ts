import { defineConfig } from 'vitest/config';

const SLOW = [
  'test/consent-browser.test.ts',
  'test/contract-cli.test.ts',
  'test/tools-cli.test.ts',
  'test/crash.test.ts',
  'test/disk-failure.test.ts',
  'test/tools.test.ts',
  // The compiled server's durability on real files: signals, restarts, reset, a corrupt file, retention.
  'test/server-process.test.ts',
  // The trigger commands against a compiled server, case by case (npm test runs them as the README shows them).
  'test/outbound-cli.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Vitest's default on 2 cores is one worker; the suites are half waiting on sockets and child processes.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['server/**/*.test.ts', 'fixtures/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: SLOW,
          setupFiles: ['test/setup.ts'],
          // Files share a worker's loaded modules (the server, openapi-backend, faker): loading them per
          // file cost more than the tests. Test apps reset their state between tests (test/helpers.ts).
          isolate: false,
        },
      },
      {
        // npm run test:slow (in npm run test:all and CI): a real browser, and the contract suite's
        // proofs, which run its command 22 times against deliberately broken targets.
        extends: true,
        test: { name: 'slow', include: SLOW, setupFiles: ['test/setup.ts'], testTimeout: 60_000 },
      },
      {
        // The black-box contract suite against the compiled mock on a real port, with every persona, test by test
        // (npm run test:slow; npm test runs the same suite through its command, from the README).
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
