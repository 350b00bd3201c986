import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageDir, parseCached, type DocumentFile } from './documents.js';

// A name of its own: the real documents' copies are read by other processes while this runs.
const NAME = 'cache-test.yaml' as DocumentFile;
const COPY = path.join(packageDir(), 'dist', 'openapi', `${NAME}.json`);
afterAll(() => rmSync(COPY, { force: true }));

describe('the parsed copy of a document', () => {
  it('is written on the first parse and used while the YAML is the same', () => {
    rmSync(COPY, { force: true });
    expect(parseCached(NAME, 'openapi: 3.0.3\ninfo: {title: one}\n')).toEqual({ openapi: '3.0.3', info: { title: 'one' } });
    const saved = JSON.parse(readFileSync(COPY, 'utf8')) as { hash: string };
    // What the copy says is what a start gets, as long as the hash matches the text.
    writeFileSync(COPY, JSON.stringify({ hash: saved.hash, document: { from: 'the copy' } }));
    expect(parseCached(NAME, 'openapi: 3.0.3\ninfo: {title: one}\n')).toEqual({ from: 'the copy' });
  });

  it('is ignored, and replaced, once the YAML changes', () => {
    expect(parseCached(NAME, 'openapi: 3.0.3\ninfo: {title: two}\n')).toEqual({ openapi: '3.0.3', info: { title: 'two' } });
    expect((JSON.parse(readFileSync(COPY, 'utf8')) as { document: unknown }).document).toEqual({ openapi: '3.0.3', info: { title: 'two' } });
  });

  it('a damaged copy is parsed around', () => {
    writeFileSync(COPY, '{"hash": ');
    expect(parseCached(NAME, 'a: 1\n')).toEqual({ a: 1 });
  });
});
