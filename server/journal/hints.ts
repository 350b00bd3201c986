/**
 * Hints: what a vendor most likely did wrong in a request, in plain words.
 * They go to the journal and the console, never into Zoho's answer. Built
 * once from the documents (every operation's path, fields, enums and
 * `zoho-datetime` fields), so each request costs a few lookups; distances
 * are only computed for what the documents do not declare.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { fieldSource } from '../openapi/fields.js';
import type { Profile } from '../store/schema.js';
import { refusedLive } from '../zoho/profiles.js';

export interface HintInput {
  method: string;
  /** Without the query string. */
  path: string;
  /** The parsed query string (values string or string[]). */
  query: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** The body as received (possibly truncated), undefined if none. */
  rawBody: string | undefined;
  /** The parsed body (a form as an object of strings, JSON as is), undefined if none or unreadable. */
  body: unknown;
  /** The operation matched; undefined for 404 and 405. */
  operationId: string | undefined;
  status: number;
  /** The mock's clock. */
  now: Date;
  /** The tenant's profile, where Zoho's documents and its live API disagree (PhoneBridge v3). */
  profile?: Profile;
}

export interface Hint {
  code: string;
  message: string;
  field?: string;
}

interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  allOf?: Schema[];
}

interface OperationFacts {
  operationId: string;
  fields: Set<string>;
  enums: Map<string, string[]>;
  datetimes: Set<string>;
  /** Its fields are read from the query string too (a GET's parameters, or `x-phonebridge-fields-also-in-query`). */
  fromQuery: boolean;
  /** It takes a body, and only as a form (no JSON media type declared). */
  formOnly: boolean;
}

interface PathFacts {
  path: string;
  /** The last segment, lower case: what a misspelt or misplaced path is matched on. */
  segment: string;
  /** The segments before it that name the API (crm, phonebridge, oauth), lower case; a related path mentions one. */
  words: string[];
  version: string | undefined;
}

/** Resolves local `$ref`s (`#/components/...`) into fresh objects (the documents are frozen); what is read here has no cycles. */
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

/** A keyword of a property's schema, also when the property wraps a shared schema in allOf (to give it its own description). */
function keyword<K extends 'enum' | 'format'>(schema: Schema, key: K): Schema[K] {
  return schema[key] ?? (schema.allOf ?? []).map((part) => keyword(part, key)).find((value) => value !== undefined);
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

function operationsOf(document: Record<string, unknown>): OperationFacts[] {
  const facts: OperationFacts[] = [];
  for (const item of Object.values((document.paths ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const operation = resolve(document, raw) as { operationId?: string; parameters?: unknown[]; requestBody?: { content?: Record<string, unknown> } };
      if (!operation.operationId) continue;
      const source = fieldSource(operation);
      const props = source ? properties(source.schema) : [];
      const content = operation.requestBody?.content;
      const enums = props.map(([name, s]) => [name, keyword(s, 'enum')] as const);
      facts.push({
        operationId: operation.operationId,
        fields: new Set(props.map(([name]) => name)),
        enums: new Map(enums.filter((e): e is [string, string[]] => Array.isArray(e[1]) && e[1].every((v) => typeof v === 'string'))),
        datetimes: new Set(props.filter(([, s]) => keyword(s, 'format') === 'zoho-datetime').map(([name]) => name)),
        fromQuery: source?.fromQuery ?? false,
        formOnly: Boolean(content && !Object.keys(content).some((type) => type.includes('json'))),
      });
    }
  }
  return facts;
}

const VERSION = /^v\d+$/i;

function pathsOf(document: Record<string, unknown>): PathFacts[] {
  return Object.keys(document.paths ?? {}).map((path) => {
    const segments = path.toLowerCase().split('/').filter(Boolean);
    return {
      path,
      segment: segments.at(-1) ?? '',
      words: segments.slice(0, -1).filter((s) => !VERSION.test(s)),
      version: segments.find((s) => VERSION.test(s)),
    };
  });
}

/** Levenshtein distance, stopping early beyond `max` (what is compared is short: names, enum values, path segments). */
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

/** Edits allowed for a near miss: two, but one for short words, where two edits reach unrelated ones (scope -> code). */
const maxEdits = (word: string) => (word.length < 6 ? 1 : 2);

/** The candidate a word most likely meant: the same but for case, else the nearest within `maxEdits`; none if it is one. */
function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = maxEdits(word) + 1;
  for (const candidate of candidates) {
    if (candidate === word) return undefined;
    const d = candidate.toLowerCase() === lower ? 0 : distance(lower, candidate.toLowerCase(), Math.max(0, bestDistance - 1));
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Words PBX software uses for an enum value Zoho spells otherwise (checked with the same tolerance for typos). */
const SYNONYMS = new Map([
  ['incoming', 'inbound'],
  ['outgoing', 'outbound'],
]);

/** The v2 operations that PhoneBridge v3's single call event (`callnotify`) replaces. */
const CALL_EVENTS = ['callreceived', 'callanswered', 'callmissed', 'calldialed', 'callhungup'];

const TOKEN_PARAMS = new Set(['authtoken', 'access_token', 'oauthtoken']);
const FUTURE_TOLERANCE_MS = 60_000;
const FORM = 'application/x-www-form-urlencoded';

function contentType(headers: IncomingHttpHeaders): string {
  return (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A field as the client sent it, and whether it came through form encoding (where an unencoded `+` becomes a space). */
interface Sent {
  name: string;
  value: unknown;
  inQuery: boolean;
  formEncoded: boolean;
}

/** The request's fields: the query string's, then the parsed body's. */
function sentFields(input: HintInput): Sent[] {
  const query = Object.entries(input.query).map(([name, value]) => ({ name, value, inQuery: true, formEncoded: true }));
  if (typeof input.body !== 'object' || input.body === null || Array.isArray(input.body)) return query;
  const formEncoded = contentType(input.headers) === FORM;
  return [...query, ...Object.entries(input.body as Record<string, unknown>).map(([name, value]) => ({ name, value, inQuery: false, formEncoded }))];
}

export function createHinter(documents: Record<string, unknown>[]): (input: HintInput) => Hint[] {
  const byId = new Map(documents.flatMap(operationsOf).map((op) => [op.operationId, op]));
  const paths = documents.flatMap(pathsOf);
  const bySegment = new Map(paths.map((p) => [p.segment, p]));
  const matchers = { bySegment, segments: [...bySegment.keys()], v2CallEvents: paths.filter((p) => CALL_EVENTS.includes(p.segment)).map((p) => p.path) };

  return (input) => {
    const op = input.operationId ? byId.get(input.operationId) : undefined;
    const hints = [...authHints(input), ...bodyHints(input, op)];
    if (op) hints.push(...fieldHints(input, op));
    else if (input.status === 404) hints.push(...pathHints(input, matchers));
    return hints;
  };
}

function authHints(input: HintInput): Hint[] {
  // Only the CRM API and PhoneBridge v3 take a token; the accounts server's token endpoints take theirs as fields.
  const v3 = input.path.startsWith('/phonebridge/v3/');
  if (!input.path.startsWith('/crm/') && !v3) return [];
  const hints: Hint[] = [];
  const authorization = input.headers.authorization ?? '';
  if (/^\s*bearer\s/i.test(authorization))
    hints.push({
      code: 'bearer-scheme',
      message: !v3
        ? 'Authorization uses the Bearer scheme; Zoho expects "Authorization: Zoho-oauthtoken <access token>"'
        : input.profile === 'live'
          ? 'Authorization uses the Bearer scheme: refused (401), as Zoho\'s live API does (profile live); send "Authorization: Zoho-oauthtoken <access token>"'
          : 'Authorization uses the Bearer scheme: accepted, as Zoho\'s v3 authentication page says (profile documented); Zoho\'s live API answers it 401, so send "Authorization: Zoho-oauthtoken <access token>"',
    });
  if (v3) hints.push(...profileHints(input));
  for (const name of Object.keys(input.query))
    if (TOKEN_PARAMS.has(name.toLowerCase()))
      hints.push({
        code: 'token-in-query',
        field: name,
        message: `a token was sent in the query string (${name}=), where Zoho does not read it; send the header "Authorization: Zoho-oauthtoken <access token>"`,
      });
  return hints;
}

function bodyHints(input: HintInput, op: OperationFacts | undefined): Hint[] {
  const raw = input.rawBody?.trim();
  if (!raw) return [];
  const type = contentType(input.headers);
  const looksJson = raw.startsWith('{') || raw.startsWith('[');
  if (type === FORM && !looksJson) return []; // the usual case, answered before any pattern runs
  const looksForm = !looksJson && /^[^=&\s]+=[^&]*(&[^=&]+=[^&]*)*$/.test(raw);
  if (type === FORM && looksJson)
    return [
      {
        code: 'json-as-form',
        message: `the body is JSON but its Content-Type says ${FORM}, so it is read as one odd field name; send name=value pairs, or Content-Type: application/json`,
      },
    ];
  if (type.includes('json') && looksForm)
    return [{ code: 'form-as-json', message: `the body is form-encoded (name=value&...) but its Content-Type says ${type}; send Content-Type: ${FORM}` }];
  if (type.includes('json') && op?.formOnly)
    return [{ code: 'form-as-json', message: `${op.operationId} takes its fields as a form (Content-Type: ${FORM}), not as JSON` }];
  if (type === '') {
    const expected = looksJson && !op?.formOnly ? 'application/json' : FORM;
    return [{ code: 'no-content-type', message: `the request has a body but no Content-Type, so its fields are not read; send Content-Type: ${expected}` }];
  }
  return [];
}

function fieldHints(input: HintInput, op: OperationFacts): Hint[] {
  const hints: Hint[] = [];
  const sent = sentFields(input);
  const unknown = new Set<string>();
  for (const { name, value, inQuery, formEncoded } of sent) {
    if (!op.fields.has(name)) {
      if (unknown.has(name) || TOKEN_PARAMS.has(name.toLowerCase())) continue;
      unknown.add(name);
      const meant = closest(name, op.fields);
      if (meant)
        hints.push({
          code: 'unknown-field',
          field: name,
          message: `${name} is not a field of ${op.operationId}; did you mean ${meant}? (field names are case-sensitive)`,
        });
      continue;
    }
    // A value the operation does not read (a declared name in the query of a body-only operation) is not worth a word.
    if (typeof value !== 'string' || (inQuery && !op.fromQuery)) continue;
    if (formEncoded && /^ \d/.test(value) && (/number$/i.test(name) || /^ \d{7,}$/.test(value)))
      hints.push({
        code: 'plus-as-space',
        field: name,
        message: `${name} arrived as "${value}", with a leading space: an unencoded + in a form or query string decodes to a space, so encode it as %2B (${encodeURIComponent(`+${value.slice(1)}`)})`,
      });
    const allowed = op.enums.get(name);
    if (allowed && !allowed.includes(value)) hints.push(...enumHints(name, value, allowed));
    if (op.datetimes.has(name)) hints.push(...datetimeHints(name, value, input.now, durationOf(sent)));
  }
  return hints;
}

function enumHints(name: string, value: string, allowed: string[]): Hint[] {
  const meant = closest(value, allowed) ?? SYNONYMS.get(closest(value, SYNONYMS.keys()) ?? value.toLowerCase());
  if (!meant || !allowed.includes(meant)) return [];
  return [
    { code: 'enum-close', field: name, message: `${name}=${value} is not one of ${allowed.join(', ')}; did you mean ${meant}? (values are case-sensitive)` },
  ];
}

/** The call's duration in seconds, if the request gives one (the body's over the query's): a call's start sent at its end lies that much before the clock. */
function durationOf(sent: Sent[]): number | undefined {
  const value = sent.filter((s) => s.name === 'duration').at(-1)?.value;
  return typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
}

interface PathMatchers {
  bySegment: Map<string, PathFacts>;
  segments: string[];
  v2CallEvents: string[];
}

/** A request that matched no path: the real path it most likely meant, and what differs from it. */
function pathHints(input: HintInput, { bySegment, segments, v2CallEvents }: PathMatchers): Hint[] {
  const cleaned = input.path.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  const parts = cleaned.toLowerCase().split('/').filter(Boolean);
  const sentSegment = (cleaned.split('/').at(-1) ?? '').replace(/\.json$/i, '');
  const last = sentSegment.toLowerCase();
  const v3 = /\/phonebridge\/v3(\/|$)/i.test(cleaned);
  const seen = `${input.method} ${input.path}`;
  if (last === 'callnotify' && v2CallEvents.length)
    return [
      { code: 'path-close', message: `${seen} is PhoneBridge v3's call event; this mock is v2, where each event has its path: ${v2CallEvents.join(', ')}` },
    ];
  const meant = bySegment.get(last) ?? bySegment.get(closest(last, segments) ?? '');
  // Only a path naming the same API (crm, phonebridge, oauth) is a near miss: /foo/path is no /oauth/v2/auth.
  const real = meant?.words.some((w) => parts.includes(w)) ? meant : undefined;
  if (!real)
    return v3 ? [{ code: 'path-close', message: `${seen} is a PhoneBridge v3 path; this mock is v2, whose paths start with /crm/v2/phonebridge/` }] : [];
  const version = parts.find((s) => VERSION.test(s));
  const missing = real.words.filter((w) => !parts.includes(w));
  const why: string[] = [];
  if (version && real.version && version !== real.version) why.push(`version ${version}, this mock serves ${real.version}`);
  if (missing.length) why.push(`missing /${missing.join('/')}`);
  if (last !== real.segment) why.push(`${sentSegment} misspelt`);
  if (/\.json\/*$/i.test(input.path)) why.push('a .json suffix');
  if (why.length === 0 && cleaned !== real.path) why.push('paths are case-sensitive');
  if (why.length === 0 && input.path !== real.path) why.push('an extra slash');
  if (why.length === 0) return [];
  return [{ code: 'path-close', message: `${seen} is not a path of this API (${why.join(', ')}); did you mean ${real.path}?` }];
}

const ZOHO_DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const ISO_DATETIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** A zoho-datetime (GMT) in epoch milliseconds; undefined if the text is not one, or not a real date and time (30 February). */
function parseZohoDateTime(value: string): number | undefined {
  const m = ZOHO_DATETIME.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 30 February over into March: a real date reads back unchanged.
  return formatZoho(ms) === value ? ms : undefined;
}

function formatZoho(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** What a datetime not in Zoho's form looks like, and the same instant in Zoho's form when that is unambiguous. */
function readForeignDateTime(value: string): { seen: string; zoho?: string } {
  const iso = ISO_DATETIME.exec(value);
  if (iso) {
    const local = parseZohoDateTime(`${iso[1]} ${iso[2]}`);
    if (local === undefined) return { seen: 'an ISO 8601 time that is no real date' };
    const zone = iso[3]?.toUpperCase();
    if (!zone) return { seen: 'ISO 8601 (with a T)', zoho: `${formatZoho(local)} if it is GMT` };
    const offset = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2))) * 60_000;
    return { seen: `ISO 8601 (with a T and a zone)`, zoho: formatZoho(local - offset) };
  }
  if (/^\d{13}$/.test(value)) return { seen: 'epoch milliseconds', zoho: formatZoho(Number(value)) };
  if (/^\d{10}$/.test(value)) return { seen: 'epoch seconds', zoho: formatZoho(Number(value) * 1000) };
  if (/^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b/.test(value)) return { seen: 'a date with the day or month first' };
  if (ZOHO_DATETIME.test(value)) return { seen: 'no real date or time' };
  return { seen: 'not that form' };
}

function datetimeHints(name: string, value: string, now: Date, duration: number | undefined): Hint[] {
  const ms = parseZohoDateTime(value);
  if (ms === undefined) {
    const { seen, zoho } = readForeignDateTime(value);
    const example = zoho ? `: ${zoho}` : ', e.g. 2016-09-20 15:09:10';
    return [{ code: 'datetime-format', field: name, message: `${name}=${value} is ${seen}; Zoho expects yyyy-MM-dd HH:mm:ss in GMT${example}` }];
  }
  const ahead = ms - now.getTime();
  if (ahead <= FUTURE_TOLERANCE_MS) return [];
  // Local time sent as GMT: ahead by the zone's offset, less the call's duration when the start is sent at its end.
  const zone = zoneOffset(ahead) ?? (duration === undefined ? undefined : zoneOffset(ahead + duration * 1000));
  const guess = zone ? `: local time of a GMT+${zone} zone sent as GMT?` : '; Zoho expects GMT';
  return [
    {
      code: 'datetime-future',
      field: name,
      message: `${name}=${value} is ${span(ahead)} ahead of the mock's clock (${formatZoho(now.getTime())} GMT)${guess}`,
    },
  ];
}

/** The zone offset (whole or half hours, 1 h to 14 h) that `ms` is within two minutes of, as `5:30`. */
function zoneOffset(ms: number): string | undefined {
  const halfHours = Math.round(ms / 1_800_000);
  if (halfHours < 2 || halfHours > 28 || Math.abs(ms - halfHours * 1_800_000) > 120_000) return undefined;
  return `${Math.floor(halfHours / 2)}:${halfHours % 2 ? '30' : '00'}`;
}

/** A time span in words: `2 h`, `5 h 30 min`, `3 min`, `75 s`. */
function span(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ''}`;
}

function profileHints(input: HintInput): Hint[] {
  if (!input.path.toLowerCase().endsWith('/callnotify') || typeof input.body !== 'object' || input.body === null) return [];
  // The v3 `callnotify` states Zoho documents but its live API refuses: which profile decided.
  const { type, state } = input.body as Record<string, unknown>;
  if (!refusedLive(type, state)) return [];
  const named = String(state);
  return [
    input.profile === 'live'
      ? {
          code: 'profile-live',
          field: 'state',
          message: `state=${named}: refused (400), as Zoho's live API does (profile live), though Zoho's documents list it`,
        }
      : {
          code: 'profile-documented',
          field: 'state',
          message: `state=${named}: accepted, as Zoho's documents list it (profile documented); Zoho's live API answers it 400 (profile live)`,
        },
  ];
}
