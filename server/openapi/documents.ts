import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The folder holding the OpenAPI documents: `openapi/` of this package, from source or from dist/. */
export function openapiDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'openapi', 'phonebridge.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('openapi/phonebridge.yaml not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return path.join(dir, 'openapi');
}

/** The documents this mock serves, by file name. */
export type DocumentFile = 'phonebridge.yaml' | 'accounts.yaml' | 'admin.yaml';

export interface DocumentText {
  yaml: string;
  document: Record<string, unknown>;
}

/** One of openapi/'s documents, as text and parsed; a fresh object per call (openapi-backend mutates it). */
export function loadDocument(file: DocumentFile): DocumentText {
  const yaml = readFileSync(path.join(openapiDir(), file), 'utf8');
  return { yaml, document: parse(yaml) as Record<string, unknown> };
}
