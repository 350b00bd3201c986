import { defineConfig } from 'vitest/config';

const SLOW = [
  'test/consent-browser.test.ts',
  'test/contract-cli.test.ts',
  // The contract command with every persona's token given: v2 at the default tenant, v3 at one of its own, at once.
  'test/contract-tokens.test.ts',
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
        // proofs, which run its command (dist/bundle/contract.mjs: the suite runs in the
        // command's own harness, not under vitest) 22 times against deliberately broken targets,
        // and once for each API with every token given.
        extends: true,
        test: { name: 'slow', include: SLOW, setupFiles: ['test/setup.ts'], testTimeout: 60_000 },
      },
    ],
  },
});
