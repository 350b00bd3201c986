import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** This package's folder (the one holding package.json and openapi/), from source, from dist/ or installed in node_modules. */
export function packageDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'openapi', 'phonebridge.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('openapi/phonebridge.yaml not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

/** The folder holding the OpenAPI documents: `openapi/` of this package. */
export const openapiDir = (): string => path.join(packageDir(), 'openapi');

/** The documents this mock serves, by file name. */
export type DocumentFile = 'phonebridge.yaml' | 'accounts.yaml' | 'admin.yaml';

export interface DocumentText {
  yaml: string;
  document: Record<string, unknown>;
}

const loaded = new Map<DocumentFile, DocumentText>();

/**
 * One of openapi/'s documents, as text and parsed, read once per process (parsing phonebridge.yaml takes
 * ~150 ms). Shared and frozen: whoever needs to change it (openapi-backend dereferences in place) clones it first.
 */
export function loadDocument(file: DocumentFile): DocumentText {
  let text = loaded.get(file);
  if (!text) {
    const yaml = readFileSync(path.join(openapiDir(), file), 'utf8');
    loaded.set(file, (text = Object.freeze({ yaml, document: deepFreeze(parse(yaml) as Record<string, unknown>) })));
  }
  return text;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
