/**
 * An operation's fields as the document declares them (its `params` schema):
 * only declared fields reach handlers, and booleans are read as real clients
 * write them.
 */

interface SchemaLike {
  type?: string;
  properties?: Record<string, SchemaLike>;
  allOf?: SchemaLike[];
}

/** What an operation's `params` schema declares: every field, and which of them are booleans. */
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

/** The fields of a dereferenced `params` schema. */
export function fieldsOf(schema: object): Fields {
  return { declared: propertyNames(schema), booleans: propertyNames(schema, 'boolean') };
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
