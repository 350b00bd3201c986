/**
 * An operation's fields as the document declares them (its body's schema, or its query parameters):
 * only declared fields reach handlers, and booleans are read as real clients
 * write them.
 */

interface SchemaLike {
  type?: string;
  properties?: Record<string, SchemaLike>;
  allOf?: SchemaLike[];
}

/** What an operation's field schema declares: every field, and which of them are booleans. */
export interface Fields {
  declared: Set<string>;
  booleans: Set<string>;
}

/** The property names an object schema declares (of one type, if given), through allOf. */
function propertyNames(schema: SchemaLike, type?: string): Set<string> {
  const names = new Set(
    Object.entries(schema.properties ?? {})
      .filter(([, p]) => !type || p.type === type)
      .map(([name]) => name),
  );
  for (const part of schema.allOf ?? []) for (const name of propertyNames(part, type)) names.add(name);
  return names;
}

/** The fields an object schema declares. */
export function fieldsOf(schema: object): Fields {
  return { declared: propertyNames(schema), booleans: propertyNames(schema, 'boolean') };
}

interface OperationLike {
  parameters?: unknown[];
  requestBody?: unknown;
}

interface Parameter {
  in: 'query' | 'path';
  name: string;
  required?: boolean;
  schema?: object;
}

/** Where an operation's fields come from, and the one schema they are validated against together. */
export interface FieldSource {
  schema: object;
  /** Read from the query string: a GET's parameters, or body fields that `x-phonebridge-fields-also-in-query` also allows there. */
  fromQuery: boolean;
}

/** Parameters of one kind as one object schema, each with its own `required`. */
function parametersSchema(parameters: Parameter[]): object {
  return {
    type: 'object',
    properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema ?? {}])),
    required: parameters.filter((p) => p.required || p.in === 'path').map((p) => p.name),
  };
}

/**
 * An operation's fields as the (dereferenced) document declares them: the
 * request body's schema (its form encoding, else its first), or the query
 * parameters as one object schema; and its path parameters beside either.
 */
export function fieldSource(operation: OperationLike): FieldSource | undefined {
  const parameters = (operation.parameters ?? []) as Parameter[];
  const inPath = parameters.filter((p) => p.in === 'path');
  const base = bodyOrQuery(operation, parameters);
  if (inPath.length === 0) return base;
  const pathSchema = parametersSchema(inPath);
  return { schema: base ? { allOf: [base.schema, pathSchema] } : pathSchema, fromQuery: base?.fromQuery ?? false };
}

function bodyOrQuery(operation: OperationLike, parameters: Parameter[]): FieldSource | undefined {
  const content = (operation.requestBody as { content?: Record<string, { schema?: object }> } | undefined)?.content;
  if (content) {
    const media = content['application/x-www-form-urlencoded'] ?? Object.values(content)[0];
    const alsoInQuery = (operation as { 'x-phonebridge-fields-also-in-query'?: boolean })['x-phonebridge-fields-also-in-query'] === true;
    if (media?.schema) return { schema: media.schema, fromQuery: alsoInQuery };
  }
  const query = parameters.filter((p) => p.in === 'query');
  if (query.length === 0) return undefined;
  return { schema: parametersSchema(query), fromQuery: true };
}

/**
 * The fields an operation gets: only those the document declares (so nothing
 * else reaches handlers or the stored call log), with booleans read as real
 * clients write them (TRUE, True, 1/0).
 */
export function declaredOnly(params: Record<string, unknown>, { declared, booleans }: Fields): Record<string, unknown> {
  const out = Object.fromEntries(Object.entries(params).filter(([name]) => declared.has(name)));
  for (const name of booleans) {
    const value = out[name];
    if (typeof value !== 'string') continue;
    const lower = value.trim().toLowerCase();
    if (lower === 'true' || lower === '1') out[name] = 'true';
    else if (lower === 'false' || lower === '0') out[name] = 'false';
  }
  return out;
}
