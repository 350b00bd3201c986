import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export; under nodenext it arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Formats a document may use beyond ajv-formats', by name: a test of the string. */
export type CustomFormats = Record<string, (text: string) => boolean>;

/** Adds the standard formats (uri, email, date-time, ...) and the custom ones to an Ajv: every Ajv the project builds goes through here. */
export function withFormats<T extends Ajv>(ajv: T, custom: CustomFormats = {}): T {
  addFormats(ajv);
  for (const [name, test] of Object.entries(custom)) ajv.addFormat(name, test);
  return ajv;
}

/**
 * Ajv's options for the documents' schemas: not checked against JSON Schema's meta-schema at every start
 * (compiling the meta-schema cost each Ajv ~40 ms, a dozen of them at start-up): the documents are
 * linted (npm run lint:documents), and a test checks every schema of theirs against the meta-schema
 * (server/openapi/ajv.test.ts).
 */
export const DOCUMENT_AJV_OPTIONS: Options = { validateSchema: false };

/** A new Ajv with every format. */
export function createAjv(options: Options = {}, custom: CustomFormats = {}): Ajv {
  return withFormats(new Ajv({ ...DOCUMENT_AJV_OPTIONS, ...options }), custom);
}
