import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package folder: the one holding openapi/phonebridge.yaml, at or above this file (source, dist/, or the
 * command bundled into dist/bundle/contract.mjs, two folders below it).
 * A module of its own so the command finds it without loading the document's dependencies.
 */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'openapi', 'phonebridge.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('openapi/phonebridge.yaml not found');
    dir = parent;
  }
  return dir;
}
