import { OpenAPIBackend, type Document } from 'openapi-backend';
import { withFormats } from '../server/openapi/ajv.js';
import { loadDocument, type DocumentFile } from '../server/openapi/documents.js';
import { ZOHO_FORMATS } from '../server/zoho/formats.js';

/**
 * openapi-backend on one of the documents, fully initialised (not quick): strict init
 * validates the document against the OpenAPI 3.0 schema, and every Ajv it builds knows our formats.
 */
export function initialisedBackend(file: DocumentFile): Promise<OpenAPIBackend> {
  // A full init compiles every validator (seconds): once per document and test worker.
  let backend = initialised.get(file);
  if (!backend) initialised.set(file, (backend = initialise(file)));
  return backend;
}

const initialised = new Map<DocumentFile, Promise<OpenAPIBackend>>();

async function initialise(file: DocumentFile): Promise<OpenAPIBackend> {
  const backend = new OpenAPIBackend({
    definition: structuredClone(loadDocument(file).document) as unknown as Document,
    strict: true,
    customizeAjv: (ajv) => withFormats(ajv, ZOHO_FORMATS),
  });
  await backend.init();
  return backend;
}
