#!/usr/bin/env node
/** The `phonebridge-mock` command: everything is in cli/; a failure to start is one line and exit 1. */
import { run } from './cli/program.js';

run(process.argv.slice(2), (code) => process.exit(code)).catch((error: unknown) => {
  console.error(`phonebridge-mock: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
