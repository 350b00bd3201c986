import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../fixtures/seed.js';
import { createTenants } from '../server/tenants/registry.js';
import { systemClock } from '../server/clock.js';
import { createPhoneBridgeV2, HANDLERS } from '../server/phonebridge/v2/api.js';
import { openStore } from '../server/store/store.js';
import { initialisedBackend } from './backend.js';
import { createTestApp, expectDocumentedResponses } from './helpers.js';

interface ResponseObject {
  content?: Record<string, { example?: unknown; schema?: unknown }>;
}

const dereferenced = () => initialisedBackend('phonebridge.yaml');

describe('openapi/phonebridge.yaml', () => {
  it('is a valid OpenAPI 3.0.3 document that openapi-backend routes', async () => {
    const backend = await dereferenced();
    expect(backend.definition.openapi).toBe('3.0.3');
    expect(backend.router.getOperations().length).toBeGreaterThanOrEqual(13);
  });

  it('every operation has a handler, and every handler an operation', async () => {
    const ids = (await dereferenced()).router
      .getOperations()
      .map((op) => op.operationId)
      .sort();
    expect(Object.keys(HANDLERS).sort()).toEqual(ids);
  });

  it('every operation declares 401 and 500, and every status has one example that matches its schema', async () => {
    const backend = await dereferenced();
    for (const op of backend.router.getOperations()) {
      expect(Object.keys(op.responses ?? {}), op.operationId).toEqual(expect.arrayContaining(['200', '401', '500']));
      for (const [status, response] of Object.entries(op.responses as Record<string, ResponseObject>)) {
        const json = response.content?.['application/json'];
        if (!json) continue;
        expect(json.example, `${op.operationId} ${status} example`).toBeDefined();
        const { errors } = backend.validateResponse(json.example, op.operationId!, Number(status));
        expect(errors ?? [], `${op.operationId} ${status}`).toEqual([]);
      }
    }
  });

  it('declares callbacks for click-to-call and all seven call-control URLs', async () => {
    const backend = await dereferenced();
    const callbacks = backend.router.getOperation('enableClickToCall')!.callbacks as Record<string, Record<string, unknown>>;
    expect(Object.keys(callbacks).sort()).toEqual(['answer', 'clickToCall', 'hangup', 'hold', 'keypress', 'mute', 'unhold', 'unmute']);
    expect(Object.keys(callbacks.keypress!)).toEqual(['{$request.body#/keypressurl}']);
  });
});

describe.each(['accounts.yaml', 'admin.yaml'] as const)('openapi/%s', (file) => {
  it('is a valid OpenAPI 3.0.3 document, and every example matches its schema', async () => {
    const backend = await initialisedBackend(file);
    for (const op of backend.router.getOperations()) {
      for (const [status, response] of Object.entries(op.responses as Record<string, ResponseObject>)) {
        const example = response.content?.['application/json']?.example;
        if (example === undefined) continue;
        expect(backend.validateResponse(example, op.operationId!, Number(status)).errors ?? [], `${op.operationId} ${status}`).toEqual([]);
      }
    }
  });
});

describe('the response check (what makes the suite fail on a drifting mock)', async () => {
  const store = await openStore({ location: ':memory:', seed: () => createDatabase({ seed: 1, crmSize: 3, now: new Date() }) });
  const tenants = createTenants(store, systemClock, { ttlSeconds: 0, maxTenants: 0, seed: 1, crmSize: 3, redirectUris: [] });
  const api = await createPhoneBridgeV2({ tenants });
  const error = (code: string, details: object = {}) => ({ code, details, message: 'm', status: 'error' });

  it.each([
    ['an undeclared status', { operationId: 'listUsers', status: 418, body: error('INVALID_TOKEN') }, /^listUsers: status 418 is not declared$/m],
    [
      'an error code the operation does not list',
      { operationId: 'listUsers', status: 400, body: error('INVALID_USER') },
      /^listUsers 400: \/code must be equal to one of the allowed values$/m,
    ],
    [
      'a missing details.param',
      { operationId: 'callReceived', status: 400, body: error('REQUIRED_PARAM_MISSING') },
      /^callReceived 400: \/details must have required property 'param'$/m,
    ],
    [
      'a required field missing from a success body',
      { operationId: 'listUsers', status: 200, body: { users: [{ userid: '3235140000000152015', email: 'a@b.c' }] } },
      /^listUsers 200: \/users\/0 must have required property 'username'$/m,
    ],
    [
      'a wrong type',
      { operationId: 'callAnswered', status: 200, body: { data: [{ Name: 'x', Id: 12, Module: 'Contacts' }] } },
      /^callAnswered 200: \/data\/0\/Id must be string$/m,
    ],
    [
      'a status key on a call-event success',
      { operationId: 'callHungUp', status: 200, body: { data: [], status: 'success' } },
      /^callHungUp 200: body must NOT have additional properties$/m,
    ],
    [
      'a body on a 204',
      { operationId: 'getCallerDetails', status: 204, body: { data: [] } },
      /^getCallerDetails 204: the document declares no body, but one was sent$/m,
    ],
    ['a 404 outside the envelope', { status: 404, body: { message: 'nope' } }, /^404 body: data must have required property 'code'$/m],
  ])('catches %s', (_title, result, message) => {
    // Each row names the exact violation, not just its status: the prefix alone would match any violation.
    const violations = api.checkResponse(result);
    expect(violations.join('\n')).toMatch(message);
  });

  it('passes a documented response', () => {
    expect(
      api.checkResponse({
        operationId: 'listUsers',
        status: 401,
        body: { code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' },
      }),
    ).toEqual([]);
  });
});

describe('the after-each document check of in-process apps (test/setup.ts)', () => {
  it('fails a test whose app sent a response its document does not allow', async () => {
    const t = await createTestApp();
    t.responses.push({ result: { status: 418, operationId: 'listUsers' }, violations: ['listUsers: status 418 is not declared'] });
    expect(() => expectDocumentedResponses()).toThrow(/must match its OpenAPI document/);
  });

  it('sees responses of an app made in a hook, through a real request', async () => {
    const t = await createTestApp();
    await t.http.get('/crm/v2/phonebridge/users');
    expect(t.responses).toHaveLength(1);
    expect(t.responses[0]!.result.status).toBe(401);
  });
});

describe('the generated handler types (npm run generate)', () => {
  // What `openapi-typescript openapi/<document> -o <file>` writes, generated in-process once per document.
  const runs = new Map<string, Promise<string>>();
  const typesOf = (document: string) => {
    if (!runs.has(document))
      runs.set(
        document,
        openapiTS(pathToFileURL(`openapi/${document}`), { silent: true }).then((ast) => COMMENT_HEADER + astToString(ast)),
      );
    return runs.get(document)!;
  };

  it.each([
    ['phonebridge.yaml', 'server/phonebridge/v2/document.gen.ts'],
    ['phonebridge-v3.yaml', 'server/phonebridge/v3/document.gen.ts'],
    ['accounts.yaml', 'server/accounts/document.gen.ts'],
    ['admin.yaml', 'server/admin/document.gen.ts'],
    ['phonebridge.yaml', 'examples/typescript-client/phonebridge.d.ts'],
  ])('are up to date with openapi/%s', async (document, generated) => {
    const fresh = await typesOf(document);
    expect(fresh, `${generated} is older than openapi/${document}: run npm run generate`).toBe(await readFile(generated, 'utf8'));
  });
});
