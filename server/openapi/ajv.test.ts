import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_FILES, loadDocument } from './documents.js';

/** Every schema of a document: under components.schemas, and each `schema` of a parameter, body or response, with where it is. */
function schemasOf(node: unknown, where: string, found: [string, object][] = []): [string, object][] {
  if (typeof node !== 'object' || node === null) return found;
  for (const [key, child] of Object.entries(node)) {
    if (typeof child !== 'object' || child === null) continue;
    const at = `${where}/${key}`;
    if (key === 'schema' || where.endsWith('/components/schemas')) found.push([at, child]);
    else schemasOf(child, at, found);
  }
  return found;
}

// The mock's Ajvs skip the meta-schema check at start (DOCUMENT_AJV_OPTIONS): this is where it is made instead.
describe("the documents' schemas against JSON Schema's meta-schema", () => {
  const ajv = new Ajv({ strict: false });

  it('finds a broken schema (so the check below can fail)', () => {
    expect(ajv.validateSchema({ type: 'strin', maxLength: -1 })).toBe(false);
  });

  for (const file of DOCUMENT_FILES) {
    it(`every schema of ${file} is a valid schema`, () => {
      const schemas = schemasOf(loadDocument(file).document, '#');
      expect(schemas.length).toBeGreaterThan(5);
      const invalid = schemas.filter(([, schema]) => !ajv.validateSchema(schema)).map(([at]) => `${at}: ${ajv.errorsText(ajv.errors)}`);
      expect(invalid).toEqual([]);
    });
  }
});
