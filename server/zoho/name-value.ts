import type { NameValue } from '../store/schema.js';
import { fail } from './errors.js';

/**
 * Reads the `{name, value}` parameters (`authorizationparam`, `clicktocallparam`,
 * `callcontrolparam`) as real clients send them: strict JSON, objects from a
 * JSON body, or the reference's unquoted form with free spacing, e.g.
 * `{ name:authorization, value:TOKEN}` or `[{name:a,value:b}, {name:c,value:d}]`.
 * Returns null when the text is none of these.
 *
 * @example parseNameValues('[{name:pbxuserid,value:pbxuser1234}]') // [{ name: 'pbxuserid', value: 'pbxuser1234' }]
 */
export function parseNameValues(input: unknown): NameValue[] | null {
  if (typeof input === 'string') {
    const text = input.trim();
    if (text === '') return [];
    try {
      return fromValue(JSON.parse(text));
    } catch {
      return fromUnquoted(text);
    }
  }
  return fromValue(input);
}

function fromValue(value: unknown): NameValue[] | null {
  const list = Array.isArray(value) ? value : [value];
  const pairs: NameValue[] = [];
  for (const item of list) {
    if (typeof item !== 'object' || item === null) return null;
    const { name, value: v } = item as Record<string, unknown>;
    if (typeof name !== 'string' || name === '' || (typeof v !== 'string' && typeof v !== 'number')) return null;
    pairs.push({ name, value: String(v) });
  }
  return pairs;
}

const OBJECT = /\{([^{}]*)\}/g;

/** `name: x` -> ['name', 'x']; no regular expression, so no input makes it slow. */
function entry(part: string): [string, string] | null {
  const colon = part.indexOf(':');
  if (colon < 0) return null;
  const key = unquote(part.slice(0, colon).trim());
  return key === 'name' || key === 'value' ? [key, part.slice(colon + 1).trim()] : null;
}

/** v3's `{to}` placeholder (`{name:callee,value:'{to}'}`), kept out of the braces that delimit the objects. */
const PLACEHOLDER = '{to}';
const SENTINEL = '\u0000to\u0000';

function fromUnquoted(input: string): NameValue[] | null {
  const text = input.replaceAll(PLACEHOLDER, SENTINEL);
  const pairs = objectsOf(text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text);
  return pairs && pairs.map(({ name, value }) => ({ name: name.replaceAll(SENTINEL, PLACEHOLDER), value: value.replaceAll(SENTINEL, PLACEHOLDER) }));
}

function objectsOf(body: string): NameValue[] | null {
  const pairs: NameValue[] = [];
  let rest = body;
  for (const match of body.matchAll(OBJECT)) {
    rest = rest.replace(match[0], '');
    const fields: Record<string, string> = {};
    // A value may itself hold commas (a URL's query), so split on ", value:" / ", name:" only.
    for (const part of match[1]!.split(/,(?=\s*["']?(?:name|value)["']?\s*:)/)) {
      const found = entry(part);
      if (!found) return null;
      fields[found[0]] = unquote(found[1]);
    }
    if (!fields.name || fields.value === undefined) return null;
    pairs.push({ name: fields.name, value: fields.value });
  }
  // Anything but separators left over means the text was not a list of objects.
  return pairs.length > 0 && /^[\s,]*$/.test(rest) ? pairs : null;
}

function unquote(text: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(text);
  return quoted ? quoted[2]! : text;
}

/** The pairs of a parameter (none when absent), or 400 INVALID_DATA naming it. */
export function pairsParam(value: unknown, param: string): NameValue[] {
  if (value === undefined) return [];
  return parseNameValues(value) ?? fail('INVALID_DATA', { param });
}

/** `authorizationparam`: at most one pair, or 400 INVALID_DATA. */
export function authorizationParam(value: unknown): NameValue | undefined {
  const pairs = pairsParam(value, 'authorizationparam');
  if (pairs.length > 1) fail('INVALID_DATA', { param: 'authorizationparam' });
  return pairs[0];
}
