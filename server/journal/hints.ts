/**
 * Hints: what a vendor most likely did wrong in a request, in plain words.
 * They go to the journal and the console, never into Zoho's answer. Built
 * once from the documents: every operation's path, fields, enums and
 * `zoho-datetime` fields; each request then costs a few lookups.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { fieldSource } from '../openapi/fields.js';

export interface HintInput {
  method: string;
  /** Without the query string. */
  path: string;
  query: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** The body as received (possibly truncated), undefined if none. */
  rawBody: string | undefined;
  /** The parsed body, undefined if none or unreadable. */
  body: unknown;
  /** The operation matched; undefined for 404 and 405. */
  operationId: string | undefined;
  status: number;
  /** The mock's clock. */
  now: Date;
}

export interface Hint {
  code: string;
  message: string;
  field?: string;
}

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  allOf?: Schema[];
}

interface OperationFacts {
  operationId: string;
  method: string;
  path: string;
  /** Declared fields, by lower-case name too (for case mistakes). */
  fields: Set<string>;
  enums: Map<string, string[]>;
  datetimes: Set<string>;
  /** Its body may only be a form (no JSON media type declared). */
  formOnly: boolean;
}

/** Resolves local `$ref`s (`#/components/...`) all the way down; documents have no cycles in what is read here. */
function resolve(document: Record<string, unknown>, value: unknown, depth = 0): unknown {
  if (depth > 40 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => resolve(document, v, depth + 1));
  const ref = (value as { $ref?: unknown }).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    const target = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], document);
    return resolve(document, target, depth + 1);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(document, v, depth + 1)]));
}

/** Every property of an object schema, through allOf. */
function properties(schema: Schema): [string, Schema][] {
  return [...Object.entries(schema.properties ?? {}), ...(schema.allOf ?? []).flatMap(properties)];
}

function factsOf(document: Record<string, unknown>): OperationFacts[] {
  const facts: OperationFacts[] = [];
  for (const [path, item] of Object.entries((document.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const operation = resolve(document, raw) as { operationId?: string; parameters?: unknown[]; requestBody?: { content?: Record<string, unknown> } };
      if (!operation.operationId) continue;
      const source = fieldSource(operation);
      const props = source ? properties(source.schema) : [];
      const content = operation.requestBody?.content;
      facts.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path,
        fields: new Set(props.map(([name]) => name)),
        enums: new Map(props.filter(([, s]) => s.enum?.every((v) => typeof v === 'string')).map(([name, s]) => [name, s.enum as string[]])),
        datetimes: new Set(props.filter(([, s]) => s.format === 'zoho-datetime').map(([name]) => name)),
        formOnly: Boolean(content && !Object.keys(content).some((type) => type.includes('json'))),
      });
    }
  }
  return facts;
}

/** Levenshtein distance, stopping early beyond `max` (what is compared is short: names and enum values). */
export function distance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, current[j]!);
    }
    if (best > max) return max + 1;
    previous = current;
  }
  return previous[b.length]!;
}

/** The candidate a value most likely meant: the same but for case, or within two edits. */
function closest(value: string, candidates: Iterable<string>): string | undefined {
  const lower = value.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    if (candidate === value) return undefined;
    const d = candidate.toLowerCase() === lower ? 0 : distance(lower, candidate.toLowerCase(), 2);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= 2 ? best : undefined;
}

const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const FUTURE_TOLERANCE_MS = 60_000;
const TOKEN_PARAMS = ['authtoken', 'access_token', 'oauthtoken'];

function contentType(headers: IncomingHttpHeaders): string {
  return (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The request's fields as a client sent them: the query string and the parsed body, body last. */
function sentFields(input: HintInput): [string, unknown][] {
  const body = typeof input.body === 'object' && input.body !== null && !Array.isArray(input.body) ? Object.entries(input.body) : [];
  return [...Object.entries(input.query), ...body];
}

export function createHinter(documents: Record<string, unknown>[]): (input: HintInput) => Hint[] {
  const operations = documents.flatMap(factsOf);
  const byId = new Map(operations.map((op) => [op.operationId, op]));
  const paths = [...new Set(operations.map((op) => op.path))];
  const pathBySegment = new Map(paths.map((p) => [p.split('/').at(-1)!, p]));

  const authHints = (input: HintInput): Hint[] => {
    const hints: Hint[] = [];
    const authorization = input.headers.authorization ?? '';
    if (input.path.startsWith('/crm/') && /^\s*bearer\s/i.test(authorization))
      hints.push({ code: 'bearer-scheme', message: 'Authorization uses the Bearer scheme; Zoho expects "Zoho-oauthtoken <token>"' });
    for (const name of Object.keys(input.query))
      if (TOKEN_PARAMS.includes(name.toLowerCase()))
        hints.push({
          code: 'token-in-query',
          field: name,
          message: `a token was sent in the query string (${name}=); Zoho reads it only from the header "Authorization: Zoho-oauthtoken <token>"`,
        });
    return hints;
  };

  const bodyHints = (input: HintInput, op: OperationFacts | undefined): Hint[] => {
    const raw = input.rawBody?.trim();
    if (!raw) return [];
    const type = contentType(input.headers);
    const looksJson = raw.startsWith('{') || raw.startsWith('[');
    const looksForm = /^[^=&{}[\]\s]+=[^&]*(&[^=&]+=[^&]*)*$/.test(raw);
    if (type === 'application/x-www-form-urlencoded' && looksJson)
      return [
        {
          code: 'json-as-form',
          message: 'the body is JSON but its Content-Type says application/x-www-form-urlencoded; send name=value pairs, or Content-Type: application/json',
        },
      ];
    if (type.includes('json') && looksForm && !looksJson)
      return [
        {
          code: 'form-as-json',
          message: 'the body is form-encoded (name=value&...) but its Content-Type says JSON; send Content-Type: application/x-www-form-urlencoded',
        },
      ];
    if (type.includes('json') && op?.formOnly)
      return [
        {
          code: 'form-as-json',
          message: `${op.operationId} takes a form-encoded body (Content-Type: application/x-www-form-urlencoded), as Zoho documents it; this one was JSON`,
        },
      ];
    if (type === '')
      return [{ code: 'no-content-type', message: 'the request has a body but no Content-Type; send Content-Type: application/x-www-form-urlencoded' }];
    return [];
  };

  const fieldHints = (input: HintInput, op: OperationFacts): Hint[] => {
    const hints: Hint[] = [];
    for (const [name, value] of sentFields(input)) {
      if (!op.fields.has(name)) {
        const meant = closest(name, op.fields);
        if (meant)
          hints.push({
            code: 'unknown-field',
            field: name,
            message: `${name} is not a field of ${op.operationId}; did you mean ${meant}? (field names are case-sensitive)`,
          });
        continue;
      }
      if (typeof value !== 'string') continue;
      if (/number$/i.test(name) && /^ \d/.test(value))
        hints.push({
          code: 'plus-as-space',
          field: name,
          message: `${name} begins with a space: an unencoded + arrives as a space in a form; encode it as %2B`,
        });
      const allowed = op.enums.get(name);
      if (allowed && !allowed.includes(value)) {
        const meant = closest(value, allowed);
        if (meant) hints.push({ code: 'enum-close', field: name, message: `${name}=${value} is not one of ${allowed.join(', ')}; did you mean ${meant}?` });
      }
      if (op.datetimes.has(name)) hints.push(...datetimeHints(name, value, input.now));
    }
    return hints;
  };

  const pathHints = (input: HintInput): Hint[] => {
    const path = input.path.replace(/\/+$/, '');
    const segment = path.split('/').at(-1) ?? '';
    const bare = segment.replace(/\.json$/i, '');
    let real = pathBySegment.get(bare) ?? pathBySegment.get(bare.toLowerCase());
    if (!real) {
      const meant = closest(bare, pathBySegment.keys());
      real = meant && pathBySegment.get(meant);
    }
    if (!real || real === path) return [];
    const v3 = /\/phonebridge\/v3\//.test(path) ? ' (a PhoneBridge v3 path; this mock serves v2)' : '';
    return [{ code: 'path-close', message: `${input.method} ${input.path} is not a path of the API${v3}; did you mean ${real}?` }];
  };

  return (input) => {
    const op = input.operationId ? byId.get(input.operationId) : undefined;
    return [...authHints(input), ...bodyHints(input, op), ...(op ? fieldHints(input, op) : input.status === 404 ? pathHints(input) : [])];
  };
}

function datetimeHints(name: string, value: string, now: Date): Hint[] {
  if (!DATETIME.test(value))
    return [
      { code: 'datetime-format', field: name, message: `${name}=${value} is not yyyy-MM-dd HH:mm:ss (GMT), the form Zoho expects, e.g. 2026-11-26 12:00:00` },
    ];
  const ahead = Date.parse(`${value.replace(' ', 'T')}Z`) - now.getTime();
  if (!(ahead > FUTURE_TOLERANCE_MS)) return [];
  const hours = ahead / 3_600_000;
  const local = Math.abs(hours - Math.round(hours)) < 0.05 && Math.round(hours) >= 1 ? `; ${Math.round(hours)} h ahead: local time sent instead of GMT?` : '';
  return [
    {
      code: 'datetime-future',
      field: name,
      message: `${name}=${value} lies in the future (the mock's clock says ${now.toISOString().replace('T', ' ').slice(0, 19)} GMT)${local}`,
    },
  ];
}
