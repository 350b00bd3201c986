import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenAPIBackend, type Document, type Operation } from 'openapi-backend';
import { parse } from 'yaml';

/** The package folder: the one holding openapi/phonebridge.yaml, above this file (source or dist). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'openapi', 'phonebridge.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('openapi/phonebridge.yaml not found');
    dir = parent;
  }
  return dir;
}

export interface SchemaObject {
  type?: string;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  example?: unknown;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  allOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  minimum?: number;
}

export interface ResponseObject {
  content?: Record<string, { schema?: SchemaObject; example?: unknown }>;
  headers?: Record<string, unknown>;
  /** Responses of one group are alternatives: the target gives one of them, depending on its configuration. */
  'x-phonebridge-one-of'?: string;
}

/** The document, dereferenced, with the questions the suite asks of it. */
export class Contract {
  private constructor(readonly backend: OpenAPIBackend) {}

  static async load(file: 'phonebridge.yaml' | 'accounts.yaml' = 'phonebridge.yaml'): Promise<Contract> {
    const text = readFileSync(path.join(packageRoot(), 'openapi', file), 'utf8');
    const backend = new OpenAPIBackend({ definition: parse(text) as Document, strict: true, quick: true });
    await backend.init();
    return new Contract(backend);
  }

  operations(): Operation[] {
    return this.backend.router.getOperations();
  }

  operation(operationId: string): Operation {
    const op = this.backend.router.getOperation(operationId);
    if (!op) throw new Error(`the document has no operation ${operationId}`);
    return op;
  }

  /** The operation's fields, as one object schema (its form-exploded `params` parameter). */
  paramsSchema(operationId: string): SchemaObject | undefined {
    const param = this.operation(operationId).parameters?.find((p) => 'name' in p && p.name === 'params');
    return param && 'schema' in param ? flatten(param.schema as SchemaObject) : undefined;
  }

  response(operationId: string, status: number): ResponseObject | undefined {
    return this.operation(operationId).responses?.[String(status)] as ResponseObject | undefined;
  }

  /** Every (operationId, status) the document declares, with its one-of group if it has one. */
  documentedPairs(): { operationId: string; status: number; oneOf?: string }[] {
    return this.operations().flatMap((op) =>
      Object.entries((op.responses ?? {}) as Record<string, ResponseObject>).map(([status, response]) => ({
        operationId: op.operationId!,
        status: Number(status),
        oneOf: response['x-phonebridge-one-of'],
      })),
    );
  }

  /** The response the document gives for a path with no operation (404) or a wrong method (405). */
  routingResponse(name: 'NotFound' | 'MethodNotAllowed'): ResponseObject | undefined {
    const doc = this.backend.definition as unknown as { components?: { responses?: Record<string, ResponseObject> } };
    return doc.components?.responses?.[name];
  }

  /** The methods the document declares for a path, upper-case. */
  methodsOf(path: string): string[] {
    return this.operations()
      .filter((op) => op.path === path)
      .map((op) => op.method.toUpperCase());
  }
}

/** Merges an allOf chain into one object schema (properties and required). */
export function flatten(schema: SchemaObject): SchemaObject {
  if (!schema.allOf) return schema;
  const parts = schema.allOf.map(flatten);
  return {
    ...schema,
    allOf: undefined,
    type: 'object',
    properties: Object.assign({}, schema.properties, ...parts.map((p) => p.properties ?? {})),
    required: [...(schema.required ?? []), ...parts.flatMap((p) => p.required ?? [])],
  };
}

export interface ErrorVariant {
  /** The codes this variant allows; null when it does not restrict them. */
  codes: string[] | null;
  /** Fields `details` must carry for these codes. */
  detailsRequired: string[];
}

/** The error shapes a response schema allows: each oneOf/anyOf branch, its allOf parts merged. */
export function errorVariants(schema: SchemaObject | undefined): ErrorVariant[] {
  if (!schema) return [];
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches) return branches.flatMap(errorVariants);
  const flat = flatten(schema);
  const codeSchemas = [schema, ...(schema.allOf ?? [])].map((s) => flatten(s).properties?.code).filter((c): c is SchemaObject => Boolean(c?.enum));
  const detailsSchemas = [schema, ...(schema.allOf ?? [])].map((s) => flatten(s).properties?.details).filter((d): d is SchemaObject => Boolean(d));
  return [
    {
      codes: codeSchemas.length ? (codeSchemas.at(-1)!.enum as string[]) : flat.properties?.code?.enum ? (flat.properties.code.enum as string[]) : null,
      detailsRequired: detailsSchemas.flatMap((d) => flatten(d).required ?? []),
    },
  ];
}
