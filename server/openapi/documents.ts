import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
export const DOCUMENT_FILES = ['phonebridge.yaml', 'phonebridge-v3.yaml', 'accounts.yaml', 'admin.yaml'] as const;
export type DocumentFile = (typeof DOCUMENT_FILES)[number];

export interface DocumentText {
  yaml: string;
  document: Record<string, unknown>;
}

const loaded = new Map<DocumentFile, DocumentText>();

/**
 * The document parsed, from a JSON copy beside dist/ when it was made from this very text (parsing the YAML
 * costs ~330 ms of every start, reading the JSON ~10 ms); else parsed, and the copy written for the next start
 * when the folder can be written (atomically: several processes may start at once). The hash keeps it honest:
 * an edited document is parsed again.
 */
export function parseCached(file: DocumentFile, yaml: string): Record<string, unknown> {
  const hash = createHash('sha256').update(yaml).digest('hex');
  const cache = path.join(packageDir(), 'dist', 'openapi', `${file}.json`);
  try {
    const saved = JSON.parse(readFileSync(cache, 'utf8')) as { hash?: string; document?: Record<string, unknown> };
    if (saved.hash === hash && saved.document) return saved.document;
  } catch {
    // no copy yet, or a damaged one: parse
  }
  const document = parse(yaml) as Record<string, unknown>;
  try {
    mkdirSync(path.dirname(cache), { recursive: true });
    const temporary = `${cache}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ hash, document }));
    renameSync(temporary, cache);
  } catch {
    // a read-only install: parse at every start
  }
  return document;
}

/**
 * One of openapi/'s documents, as text and parsed, read once per process. Shared and frozen: whoever
 * needs to change it (openapi-backend dereferences in place) clones it first.
 */
export function loadDocument(file: DocumentFile): DocumentText {
  let text = loaded.get(file);
  if (!text) {
    const yaml = readFileSync(path.join(openapiDir(), file), 'utf8');
    loaded.set(file, (text = Object.freeze({ yaml, document: deepFreeze(parseCached(file, yaml)) })));
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
