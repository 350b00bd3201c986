import type { CodeResult, PairResult } from './coverage.js';
import { exampleText, type CodePair, type Contract, type SchemaObject } from './document.js';
import { bytesAfterHeaders } from './raw-http.js';
import { buildRequest, ContractViolation, sendRaw, violations, type Exchange, type Placement } from './exchange.js';
import type { Target } from './target.js';

export interface CallOptions {
  /** The token to send; null sends no Authorization header. Default: the main persona's. */
  token?: string | null;
  params?: Record<string, string>;
  /** Where the fields go; default: a form body (the query string of a GET, or of a DELETE unless asked). */
  placement?: Placement;
  headers?: Record<string, string>;
}

export interface ClientOptions {
  /** The field that names a call, which the suite tags with its run: v2's `callrefid`, v3's `id`. */
  callIdField?: string;
  /**
   * Fields a valid request needs beyond the required ones, by operation, where the document
   * says so in prose only (v3's callcontrol: at least one of its URIs).
   */
  defaults?: Record<string, Record<string, string>>;
}

export interface Expectation {
  status: number;
  code?: string;
  /** The parameter `details.param` must name. */
  param?: string;
}

/**
 * Sends PhoneBridge requests built from the document, checks every response
 * against it, and keeps count of which documented (operation, status) pairs
 * were exercised and how they fared.
 */
export class PhoneBridgeClient {
  readonly results = new Map<string, PairResult>();
  /** What happened to each (status, error code) answered, whichever operation answered it. */
  readonly codeResults = new Map<string, CodeResult>();

  constructor(
    readonly target: Target,
    readonly contract: Contract,
    /** Where this document's operations live: the PhoneBridge API, or the accounts server. */
    readonly baseUrl: string = target.baseUrl,
    readonly options: ClientOptions = {},
  ) {}

  async call(operationId: string, options: CallOptions = {}): Promise<Exchange> {
    const token = options.token === undefined ? this.target.token : options.token;
    const headers: Record<string, string> = { ...options.headers };
    if (token !== null) headers.Authorization = `Zoho-oauthtoken ${token}`;
    const request = buildRequest(this.contract, this.baseUrl, operationId, options.params ?? {}, options.placement, headers);
    const ex = await sendRaw(request, operationId);
    // fetch hides a body sent with a 204; ask the socket, when asking again changes nothing.
    if (ex.status === 204 && this.isReadOnly(operationId)) ex.rawBodyBytes = await bytesAfterHeaders(request);
    this.check(ex);
    return ex;
  }

  isReadOnly(operationId: string): boolean {
    return Boolean(this.contract.operation(operationId)['x-phonebridge-read-only']);
  }

  /** A request to a path or method the document may not have (the 404 and 405 probes). */
  async raw(method: string, path: string): Promise<Exchange> {
    const ex = await sendRaw({ method, url: this.baseUrl + path, headers: { Authorization: `Zoho-oauthtoken ${this.target.token}` } });
    this.check(ex);
    return ex;
  }

  /** Throws, with the curl line and the response, unless the behaviour is the expected one. */
  expect(ex: Exchange, expected: Expectation): void {
    const body = (ex.body ?? {}) as { code?: string; details?: { param?: string } };
    const problems: string[] = [];
    if (ex.status !== expected.status) problems.push(`expected ${describeExpectation(expected)}, got ${ex.status}${body.code ? ` ${body.code}` : ''}`);
    else if (expected.code && body.code !== expected.code) problems.push(`expected ${describeExpectation(expected)}, got code ${String(body.code)}`);
    else if (expected.param && body.details?.param !== expected.param)
      problems.push(`expected details.param "${expected.param}", got ${JSON.stringify(body.details?.param)}`);
    if (problems.length) {
      this.record(ex, false);
      throw new ContractViolation(ex, problems);
    }
  }

  /**
   * Runs behaviour checks on an answer beyond what `expect` says (its body's contents, say); a
   * failure is reported as `expect`'s are, with the curl line and the response.
   */
  behaviour(ex: Exchange, check: () => void): void {
    try {
      check();
    } catch (error) {
      this.record(ex, false);
      throw new ContractViolation(ex, [(error as Error).message]);
    }
  }

  /** Valid values for an operation's required fields, from the document's examples and enums. */
  validParams(operationId: string, overrides: Record<string, string> = {}): Record<string, string> {
    const params = { ...requiredExamples(this.contract.paramsSchema(operationId)), ...this.options.defaults?.[operationId] };
    // A call the suite reports, or fails to, says it came from the suite.
    const callId = this.options.callIdField ?? 'callrefid';
    if (callId in params) params[callId] = `contract-suite-${this.target.runId}`;
    return { ...params, ...overrides };
  }

  /** Documented pairs with what happened to them, in document order. */
  coverage(): PairResult[] {
    return this.contract.documentedPairs().map(({ operationId, status, oneOf }) => ({
      ...(this.results.get(`${operationId} ${status}`) ?? { operationId, status, exercised: 0, failed: 0 }),
      oneOf,
    }));
  }

  /** The (status, code) pairs given, with what happened to each, in their order. */
  codeCoverage(pairs: CodePair[]): CodeResult[] {
    return pairs.map(({ status, code }) => this.codeResults.get(`${status} ${code}`) ?? { status, code, exercised: 0, failed: 0 });
  }

  private check(ex: Exchange): void {
    const problems = violations(this.contract, ex);
    this.record(ex, problems.length === 0);
    if (problems.length) throw new ContractViolation(ex, problems);
  }

  private record(ex: Exchange, ok: boolean): void {
    const code = (ex.body as { code?: unknown } | undefined)?.code;
    if (ex.status >= 400 && typeof code === 'string') {
      const codeResult = this.codeResults.get(`${ex.status} ${code}`) ?? { status: ex.status, code, exercised: 0, failed: 0 };
      if (ok) codeResult.exercised++;
      else codeResult.failed++;
      this.codeResults.set(`${ex.status} ${code}`, codeResult);
    }
    if (!ex.operationId) return;
    const key = `${ex.operationId} ${ex.status}`;
    const result = this.results.get(key) ?? { operationId: ex.operationId, status: ex.status, exercised: 0, failed: 0 };
    if (ok) result.exercised++;
    else result.failed++;
    this.results.set(key, result);
  }
}

function describeExpectation({ status, code, param }: Expectation): string {
  return [status, code, param ? `(details.param ${param})` : ''].filter(Boolean).join(' ');
}

/** Valid values for the required fields of an operation's fields schema, from the document's examples and enums. */
export function requiredExamples(schema: SchemaObject | undefined): Record<string, string> {
  return Object.fromEntries((schema?.required ?? []).map((name) => [name, exampleOf(schema!.properties?.[name])]));
}

function exampleOf(schema: SchemaObject | undefined): string {
  if (!schema) return 'x';
  if (schema.example !== undefined) return exampleText(schema.example);
  if (schema.enum) return String(schema.enum[0]);
  for (const part of schema.allOf ?? []) if (part.example !== undefined || part.enum) return exampleOf(part);
  if (schema.type === 'integer') return '1';
  if (schema.type === 'boolean') return 'false';
  return 'x';
}

/** A value the field's schema refuses, or undefined when the schema accepts any text. */
export function invalidValueFor(schema: SchemaObject | undefined): string | undefined {
  if (!schema) return undefined;
  const flat: SchemaObject = schema.allOf ? (Object.assign({}, ...schema.allOf, { ...schema, allOf: undefined }) as SchemaObject) : schema;
  if (flat.enum) return 'not-a-listed-value';
  if (flat.type === 'integer') return 'twelve';
  if (flat.type === 'boolean') return 'maybe';
  if (flat.pattern) return '2016-09-20T15:09:10+02:00';
  if (flat.format === 'uri') return 'not a url';
  return undefined;
}

/** A field's schema with its allOf parts merged in (each part applies, so their keywords add up). */
function merged(schema: SchemaObject): SchemaObject {
  return schema.allOf ? (Object.assign({}, ...schema.allOf.map(merged), { ...schema, allOf: undefined }) as SchemaObject) : schema;
}

/** The longest text a field accepts: its `maxLength` (through allOf), or its text branch's in an anyOf; undefined when it sets none. */
export function maxLengthOf(schema: SchemaObject | undefined): number | undefined {
  if (!schema) return undefined;
  const flat = merged(schema);
  if (flat.maxLength !== undefined) return flat.maxLength;
  const text = flat.anyOf?.map(merged).find((branch) => branch.type === 'string');
  return text?.maxLength;
}

/**
 * Text of exactly `length` characters for a field, valid in every other way
 * its schema lets it be: an enum's longest value, a URL with a long path,
 * name/value pairs with a long value, else the field's example with a long
 * tail. (Past the limit an enum or a pattern-bound time is also malformed;
 * the answer is the same INVALID_DATA naming the field.)
 */
export function textOfLength(schema: SchemaObject | undefined, length: number): string {
  const flat = schema ? merged(schema) : {};
  const pad = (head: string, filler: string, tail = '') => head + filler.repeat(Math.max(0, length - head.length - tail.length)) + tail;
  if (flat.enum) {
    const longest = flat.enum.map(String).reduce((a, b) => (b.length > a.length ? b : a), '');
    return pad(longest, 'x');
  }
  if (flat.format === 'uri') return pad('https://pbx.example.com/', 'a');
  if (flat.anyOf) return pad('[{name:a,value:', 'v', '}]');
  const example = exampleOf(schema);
  return pad(example, /^[0-9]+$/.test(example) ? '0' : 'x');
}

/** A value one character over the field's `maxLength`, otherwise as valid as it can be; undefined when the field sets no limit. */
export function overLongValueFor(schema: SchemaObject | undefined): string | undefined {
  const max = maxLengthOf(schema);
  return max === undefined ? undefined : textOfLength(schema, max + 1);
}
