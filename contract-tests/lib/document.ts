import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { packageRoot } from './package-root.js';

// ajv-formats is CommonJS with a default export; under nodenext it arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * The Ajv the suite checks bodies with: the standard formats (`uri`, and
 * OpenAPI's int32, byte, ...) and the document's own `zoho-datetime`, so no
 * format is silently ignored. Not strict: OpenAPI schemas carry keywords
 * JSON Schema lacks (`example`).
 */
export function contractAjv(): Ajv {
  const ajv = addFormats(new Ajv({ strict: false }));
  // The document's `yyyy-MM-dd HH:mm:ss` (GMT): a real moment, which its pattern alone cannot say (30 February).
  ajv.addFormat('zoho-datetime', (text: string) => {
    const iso = `${text.replace(' ', 'T')}Z`;
    const parsed = new Date(iso);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 19) === iso.slice(0, 19);
  });
  return ajv;
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
  maxLength?: number;
  maxItems?: number;
  items?: SchemaObject;
}

export interface ParameterObject {
  name: string;
  in: string;
  required?: boolean;
  schema?: SchemaObject;
}

/** An operation of the document, with the path and (lower-case) method it sits under. */
export interface Operation {
  operationId: string;
  path: string;
  method: string;
  description?: string;
  /** Its own parameters, then those of its path. */
  parameters: ParameterObject[];
  requestBody?: { content?: Record<string, { schema?: SchemaObject }> };
  responses?: Record<string, ResponseObject>;
  callbacks?: Record<string, unknown>;
  /** The body's fields may also come in the query string of the request (with an empty body), as real clients send them. */
  'x-phonebridge-fields-also-in-query'?: boolean;
  /** The request changes nothing on the target, so the suite may repeat it. */
  'x-phonebridge-read-only'?: boolean;
}

interface PathItem {
  parameters?: ParameterObject[];
  [method: string]: unknown;
}

interface DocumentObject {
  paths?: Record<string, PathItem>;
  components?: { responses?: Record<string, ResponseObject> };
}

export interface ResponseObject {
  content?: Record<string, { schema?: SchemaObject; example?: unknown }>;
  headers?: Record<string, unknown>;
  /** Responses of one group are alternatives: the target gives one of them, depending on its configuration. */
  'x-phonebridge-one-of'?: string;
}

/** The document, dereferenced, with the questions the suite asks of it. */
export class Contract {
  private readonly list: Operation[];
  private readonly byId: Map<string, Operation>;
  private readonly ajv = contractAjv();
  private readonly validators = new Map<SchemaObject, ValidateFunction>();

  private constructor(readonly document: DocumentObject) {
    this.list = listOperations(document);
    this.byId = new Map(this.list.map((op) => [op.operationId, op]));
  }

  static load(file: 'phonebridge.yaml' | 'phonebridge-v3.yaml' | 'accounts.yaml' = 'phonebridge.yaml'): Contract {
    const text = readFileSync(path.join(packageRoot(), 'openapi', file), 'utf8');
    return Contract.from(parse(text) as object);
  }

  /** A contract from a parsed document, as it is before dereferencing (the document itself is not changed). */
  static from(document: object): Contract {
    return new Contract(dereference(document as DocumentObject));
  }

  operations(): Operation[] {
    return this.list;
  }

  operation(operationId: string): Operation {
    const op = this.byId.get(operationId);
    if (!op) throw new Error(`the document has no operation ${operationId}`);
    return op;
  }

  /**
   * How a body breaks one of the document's schemas. Each schema object is
   * compiled once: dereferencing shares one object per component, so most
   * (operation, status) pairs reuse a compiled response instead of each
   * compiling its own copy.
   */
  schemaErrors(schema: SchemaObject, body: unknown): ErrorObject[] {
    let validate = this.validators.get(schema);
    if (!validate) this.validators.set(schema, (validate = this.ajv.compile(schema)));
    return validate(body) ? [] : (validate.errors ?? []);
  }

  /** The operation's fields, as one object schema: its form body's schema, else its query parameters, each with its own `required`. */
  paramsSchema(operationId: string): SchemaObject | undefined {
    const op = this.operation(operationId);
    const content = op.requestBody?.content;
    const body = content && (content['application/x-www-form-urlencoded'] ?? Object.values(content)[0])?.schema;
    if (body) return flatten(body);
    const query = op.parameters.filter((p) => p.in === 'query');
    if (query.length === 0) return undefined;
    return {
      type: 'object',
      properties: Object.fromEntries(query.map((p) => [p.name, p.schema ?? {}])),
      required: query.filter((p) => p.required).map((p) => p.name),
    };
  }

  /** Whether the document lets the operation's fields come in the query string: a GET's or DELETE's, or a body's marked `x-phonebridge-fields-also-in-query`. */
  fieldsInQuery(operationId: string): boolean {
    const op = this.operation(operationId);
    return !op.requestBody || op['x-phonebridge-fields-also-in-query'] === true;
  }

  response(operationId: string, status: number): ResponseObject | undefined {
    return this.operation(operationId).responses?.[String(status)];
  }

  /** Every (operationId, status) the document declares, with its one-of group if it has one. */
  documentedPairs(): { operationId: string; status: number; oneOf?: string }[] {
    return this.operations().flatMap((op) =>
      Object.entries(op.responses ?? {}).map(([status, response]) => ({
        operationId: op.operationId,
        status: Number(status),
        oneOf: response['x-phonebridge-one-of'],
      })),
    );
  }

  /**
   * Every (status, error code) the document lists: the codes each error response of the
   * operations named (default: all) allows, then those of its 404 and 405, in document order.
   */
  documentedCodes(operationIds?: ReadonlySet<string>): CodePair[] {
    const pairs = new Map<string, CodePair>();
    const add = (status: number, response: ResponseObject | undefined) => {
      for (const code of errorVariants(response?.content?.['application/json']?.schema).flatMap((v) => v.codes ?? []))
        pairs.set(`${status} ${code}`, { status, code });
    };
    for (const op of this.operations().filter((o) => !operationIds || operationIds.has(o.operationId)))
      for (const [status, response] of Object.entries(op.responses ?? {})) if (Number(status) >= 400) add(Number(status), response);
    add(404, this.routingResponse('NotFound'));
    add(405, this.routingResponse('MethodNotAllowed'));
    return [...pairs.values()];
  }

  /** The response the document gives for a path with no operation (404) or a wrong method (405). */
  routingResponse(name: 'NotFound' | 'MethodNotAllowed'): ResponseObject | undefined {
    return this.document.components?.responses?.[name];
  }

  /** The methods the document declares for a path, upper-case. */
  methodsOf(path: string): string[] {
    return this.operations()
      .filter((op) => op.path === path)
      .map((op) => op.method.toUpperCase());
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The document's operations in document order, each with its path, method and the path's parameters. */
function listOperations(document: DocumentObject): Operation[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => {
      const op = item[method] as Omit<Operation, 'path' | 'method'>;
      if (!op.operationId) throw new Error(`${method.toUpperCase()} ${path} has no operationId; the suite names every check by it`);
      return { ...op, path, method, parameters: [...(op.parameters ?? []), ...(item.parameters ?? [])] };
    }),
  );
}

/**
 * The document with every `$ref` replaced by what it points to. Each object
 * is copied once and shared by every reference to it, so a component's schema
 * is one object (and one compiled validator) wherever it is used. Only
 * references inside the document: the documents are self-contained.
 */
export function dereference<T>(document: T): T {
  const copies = new WeakMap<object, unknown>();
  const target = (ref: string): unknown => {
    if (!ref.startsWith('#/')) throw new Error(`$ref ${ref}: only references inside the document are supported`);
    const found = ref
      .slice(2)
      .split('/')
      .map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
    if (found === undefined) throw new Error(`$ref ${ref} points to nothing`);
    return found;
  };
  const walk = (node: unknown): unknown => {
    if (node === null || typeof node !== 'object') return node;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string') return walk(target(ref));
    let copy = copies.get(node);
    if (copy === undefined) {
      copy = Array.isArray(node) ? [] : {};
      // Registered before its children are walked, so a schema that refers to itself ends, as a cycle.
      copies.set(node, copy);
      for (const [key, value] of Object.entries(node)) (copy as Record<string, unknown>)[key] = walk(value);
    }
    return copy;
  };
  return walk(document) as T;
}

/** Merges an allOf chain into one object schema (properties and required). */
export function flatten(schema: SchemaObject): SchemaObject {
  if (!schema.allOf) return schema;
  const parts = schema.allOf.map(flatten);
  return {
    ...schema,
    allOf: undefined,
    type: 'object',
    properties: Object.assign({}, schema.properties, ...parts.map((p) => p.properties ?? {})) as Record<string, SchemaObject>,
    required: [...(schema.required ?? []), ...parts.flatMap((p) => p.required ?? [])],
  };
}

/** An error code the document lists for a status. */
export interface CodePair {
  status: number;
  code: string;
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

/** An example as a field's text: a string as it is, anything else (number, boolean, object) as JSON. */
export function exampleText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}
