/**
 * Bounded fields ("Field lengths" in openapi/phonebridge.yaml and
 * openapi/accounts.yaml): every string field a client can send declares a
 * `maxLength`; a value one character over it is refused as malformed, naming
 * the field; a value of exactly the limit is not refused. The fields, their
 * limits and the valid requests all come from the documents, not from lists.
 */
import { readFileSync } from 'node:fs';
import type { Response } from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { maxLengthOf, requiredExamples, textOfLength } from '../contract-tests/lib/client.js';
import { Contract, type Operation, type SchemaObject } from '../contract-tests/lib/document.js';
import type { ApiResult } from '../server/openapi/types.js';
import { auth, createTestApp, TOKENS, type TestApp } from './helpers.js';

type DocumentFile = 'phonebridge.yaml' | 'accounts.yaml';
const FILES: DocumentFile[] = ['phonebridge.yaml', 'accounts.yaml'];
const CONTRACTS: Record<DocumentFile, Contract> = { 'phonebridge.yaml': Contract.load('phonebridge.yaml'), 'accounts.yaml': Contract.load('accounts.yaml') };

/** A schema and the allOf parts that apply with it, nested parts included. */
const partsOf = (schema: SchemaObject): SchemaObject[] => [schema, ...(schema.allOf ?? []).flatMap(partsOf)];

/**
 * Where a field's schema leaves what a client sends unbounded: text without
 * `maxLength`, a list without `maxItems`, or no type at all (any text). An
 * object's properties and a list's items are checked in turn.
 */
function unbounded(schema: SchemaObject | undefined, at: string): string[] {
  if (!schema) return [`${at}: no schema (any text)`];
  const parts = partsOf(schema);
  const type = parts.find((p) => p.type)?.type;
  const branches = parts.flatMap((p) => p.anyOf ?? p.oneOf ?? []);
  if (!type && branches.length) return branches.flatMap((branch, i) => unbounded(branch, `${at} (branch ${i})`));
  switch (type) {
    case 'string':
      return parts.some((p) => p.maxLength !== undefined) ? [] : [`${at}: text without maxLength`];
    case 'array': {
      const items = parts.find((p) => p.items)?.items;
      return [...(parts.some((p) => p.maxItems !== undefined) ? [] : [`${at}: a list without maxItems`]), ...unbounded(items, `${at}[]`)];
    }
    case 'object': {
      const properties = Object.assign({}, ...parts.map((p) => p.properties ?? {})) as Record<string, SchemaObject>;
      return Object.entries(properties).flatMap(([name, property]) => unbounded(property, `${at}.${name}`));
    }
    case 'integer':
    case 'number':
    case 'boolean':
      return [];
    default:
      return [`${at}: no type (any text)`];
  }
}

/** Every unbounded place in the fields of every operation of a document, as "operationId field...: why". */
function unboundedFields(contract: Contract): string[] {
  return contract
    .operations()
    .flatMap(({ operationId }) =>
      Object.entries(contract.paramsSchema(operationId)?.properties ?? {}).flatMap(([field, schema]) => unbounded(schema, `${operationId} ${field}`)),
    );
}

interface Field {
  file: DocumentFile;
  operation: Operation;
  name: string;
  schema: SchemaObject;
  maxLength: number;
}

/** Every field of every operation that takes text, with its limit (fields without one fail the declaration test instead). */
const FIELDS: Field[] = FILES.flatMap((file) =>
  CONTRACTS[file].operations().flatMap((operation) =>
    Object.entries(CONTRACTS[file].paramsSchema(operation.operationId)?.properties ?? {}).flatMap(([name, schema]) => {
      const maxLength = maxLengthOf(schema);
      return maxLength === undefined ? [] : [{ file, operation, name, schema, maxLength }];
    }),
  ),
);
const OPERATIONS = [...new Map(FIELDS.map((f) => [f.operation.operationId, f])).values()];

const validParams = (field: Pick<Field, 'file' | 'operation'>) => requiredExamples(CONTRACTS[field.file].paramsSchema(field.operation.operationId));

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});

/** Sends an operation's fields where the document puts them (a GET's query string, else a form or JSON body), as the admin. */
async function send(
  { file, operation }: Pick<Field, 'file' | 'operation'>,
  params: Record<string, unknown>,
  placement: 'form' | 'json' = 'form',
): Promise<{ res: Response; result: ApiResult }> {
  const req = (t.http as unknown as Record<string, (url: string) => import('supertest').Test>)[operation.method]!(operation.path);
  if (file === 'phonebridge.yaml') req.set(auth(TOKENS.admin));
  if (operation.method === 'get') req.query(params as Record<string, string>);
  else if (placement === 'json') req.set('Content-Type', 'application/json').send(JSON.stringify(params));
  else req.type('form').send(params as Record<string, string>);
  const res = await req;
  const result = t.responses.at(-1)!.result;
  // The request reached the operation under test (not a 404, a body parser, a guard).
  expect(result.operationId).toBe(operation.operationId);
  return { res, result };
}

/**
 * What each endpoint answers a malformed field with: PhoneBridge's 400
 * INVALID_DATA naming it; on the accounts server, what that endpoint answers
 * today (openapi/accounts.yaml, "Field lengths").
 */
function expectRefused({ file, operation, name }: Field, res: Response): void {
  const what = `${operation.operationId} ${name}: ${res.status} ${res.text.slice(0, 300)}`;
  if (file === 'phonebridge.yaml') {
    expect(res.status, what).toBe(400);
    expect(res.body, what).toMatchObject({ code: 'INVALID_DATA', details: { param: name }, status: 'error' });
    return;
  }
  switch (operation.operationId) {
    case 'authorize':
    case 'consent':
      // Zoho's error page, which names the field (the request is not redirected anywhere).
      expect(res.status, what).toBe(400);
      expect(res.headers['content-type'], what).toMatch(/^text\/html/);
      expect(res.headers.location, what).toBeUndefined();
      expect(res.text, what).toContain(`/${name} must`);
      return;
    case 'token':
      expect(res.status, what).toBe(200);
      expect(res.body, what).toEqual({ error: 'unsupported_grant_type' });
      return;
    case 'revokeToken':
      expect(res.status, what).toBe(400);
      expect(res.body, what).toEqual({ status: 'failure', error: 'invalid_token' });
      return;
    default:
      throw new Error(`${operation.operationId}: no answer to a malformed field is known; add it here and to accounts.yaml "Field lengths"`);
  }
}

describe('every field a client can send is bounded in the documents', () => {
  it.each(FILES)('%s: every text field of every operation declares maxLength (and every list maxItems)', (file) => {
    expect(unboundedFields(CONTRACTS[file])).toEqual([]);
  });

  it('the fields under test come from both documents, GET parameters and bodies alike', () => {
    const names = (file: DocumentFile) => FIELDS.filter((f) => f.file === file).map((f) => `${f.operation.operationId} ${f.name}`);
    expect(names('phonebridge.yaml')).toEqual(
      expect.arrayContaining(['callHungUp desc', 'enableClickToCall clicktocallparam', 'enableClickToCallByGet userid', 'getCallerDetails phonenumber']),
    );
    expect(names('accounts.yaml')).toEqual(expect.arrayContaining(['authorize state', 'consent userid', 'token client_secret', 'revokeToken token']));
  });

  // The declaration check itself: a document with one limit taken away must fail it, wherever the limit was.
  type Doc = {
    paths: Record<string, Record<string, { parameters?: { name: string; schema?: unknown }[] }>>;
    components: { schemas: Record<string, SchemaObject> };
  };
  it.each<[string, DocumentFile, (doc: Doc) => void, string]>([
    [
      'a shared component (PhoneNumber) without maxLength',
      'phonebridge.yaml',
      (doc) => delete doc.components.schemas.PhoneNumber!.maxLength,
      'getCallerDetails phonenumber: text without maxLength',
    ],
    [
      'a field declared in place (desc) without maxLength',
      'phonebridge.yaml',
      (doc) => delete doc.components.schemas.CallHungUpParams!.properties!.desc!.maxLength,
      'callHungUp desc: text without maxLength',
    ],
    [
      'an enum without maxLength',
      'phonebridge.yaml',
      (doc) => delete doc.components.schemas.CallDialedParams!.properties!.customerstatus!.maxLength,
      'callDialed customerstatus: text without maxLength',
    ],
    [
      'a name/value object property without maxLength',
      'phonebridge.yaml',
      (doc) => delete doc.components.schemas.NameValue!.properties!.value!.maxLength,
      'enableClickToCall clicktocallparam (branch 1).value: text without maxLength',
    ],
    [
      'a list of name/value pairs without maxItems',
      'phonebridge.yaml',
      (doc) => delete doc.components.schemas.NameValuePairs!.anyOf![2]!.maxItems,
      'callcontrolparam (branch 2): a list without maxItems',
    ],
    [
      'an accounts field without maxLength',
      'accounts.yaml',
      (doc) => delete doc.components.schemas.Secret!.maxLength,
      'revokeToken token: text without maxLength',
    ],
    [
      'a query parameter with no schema',
      'accounts.yaml',
      (doc) => delete doc.paths['/oauth/v2/auth']!.get!.parameters!.find((p) => p.name === 'state')!.schema,
      'authorize state: no type (any text)',
    ],
  ])('fails a document with %s', (_title, file, mutate, finding) => {
    const doc = parse(readFileSync(`openapi/${file}`, 'utf8')) as Doc;
    mutate(doc);
    expect(unboundedFields(Contract.from(doc)).join('\n')).toContain(finding);
  });
});

describe('a value one character over a field maxLength is refused, naming the field', () => {
  it.each(OPERATIONS.map((f) => [f.file, f.operation.operationId, f] as const))(
    '%s %s: the valid request every row starts from passes validation',
    async (_file, _id, field) => {
      const { result } = await send(field, validParams(field));
      expect(result.trace?.validation).toBe('passed');
    },
  );

  it.each(FIELDS.map((f) => [f.file, f.operation.operationId, f.name, f.maxLength + 1, f] as const))(
    '%s %s: %s of %i characters -> refused as malformed',
    async (_file, _id, name, length, field) => {
      const value = textOfLength(field.schema, length);
      expect(value).toHaveLength(length);
      const { res, result } = await send(field, { ...validParams(field), [name]: value });
      expect(result.trace?.validation, `${res.status} ${res.text.slice(0, 200)}`).toBe('failed');
      expectRefused(field, res);
    },
  );

  it.each(FIELDS.map((f) => [f.file, f.operation.operationId, f.name, f.maxLength, f] as const))(
    '%s %s: %s of exactly %i characters passes validation',
    async (_file, _id, name, length, field) => {
      const value = textOfLength(field.schema, length);
      expect(value).toHaveLength(length);
      const { res, result } = await send(field, { ...validParams(field), [name]: value });
      expect(result.trace?.validation, `${res.status} ${res.text.slice(0, 200)}`).toBe('passed');
    },
  );
});

/** The name/value fields a JSON body may send as objects: their object and list branches, from the document. */
const OBJECT_FIELDS = FIELDS.filter((f) => f.operation.requestBody?.content?.['application/json'] && f.schema.anyOf).map((field) => {
  const branches = partsOf(field.schema).flatMap((p) => p.anyOf ?? []);
  const object = branches.find((b) => b.type === 'object')!;
  const list = branches.find((b) => b.type === 'array')!;
  const limits = (name: 'name' | 'value') => object.properties![name]!.maxLength!;
  return { field, maxItems: list.maxItems!, name: limits('name'), value: limits('value') };
});

describe('name/value parameters sent as objects in a JSON body are bounded too', () => {
  it('the document gives them objects and lists (else there is nothing to test here)', () => {
    expect(OBJECT_FIELDS.map((f) => f.field.name)).toEqual(expect.arrayContaining(['authorizationparam', 'clicktocallparam', 'callcontrolparam']));
  });

  const pair = (name: string, value: string) => ({ name, value });
  const rows = OBJECT_FIELDS.flatMap((f) => {
    const id = `${f.field.operation.operationId} ${f.field.name}`;
    const longest = pair('n'.repeat(f.name), 'v'.repeat(f.value));
    const pairs = (n: number) => Array.from({ length: n }, () => longest);
    return [
      [`${id}: an object with a name of ${f.name + 1} characters -> refused`, f.field, { ...longest, name: `${longest.name}n` }, false],
      [`${id}: an object with a value of ${f.value + 1} characters -> refused`, f.field, { ...longest, value: `${longest.value}v` }, false],
      [`${id}: an object with a name of ${f.name} and a value of ${f.value} characters -> passes`, f.field, longest, true],
      [`${id}: a list with a value of ${f.value + 1} characters -> refused`, f.field, [{ ...longest, value: `${longest.value}v` }], false],
      [`${id}: a list of ${f.maxItems + 1} pairs -> refused`, f.field, pairs(f.maxItems + 1), false],
      [`${id}: a list of ${f.maxItems} pairs of that size -> passes`, f.field, pairs(f.maxItems), true],
    ] as const;
  });

  it.each(rows)('%s', async (_title, field, value, accepted) => {
    const { res, result } = await send(field, { ...validParams(field), [field.name]: value }, 'json');
    expect(result.trace?.validation, `${res.status} ${res.text.slice(0, 200)}`).toBe(accepted ? 'passed' : 'failed');
    if (!accepted) expectRefused(field, res);
  });
});
