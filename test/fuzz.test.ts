/**
 * Junk in, documented answers out: seeded random requests to every operation of
 * the four documents, with odd values in every placement. No answer may be a
 * 500, and every answer must match the document (createTestApp checks that).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { auth, BASE, createTestApp, TOKENS, type TestApp } from './helpers.js';

/** mulberry32: a small seeded generator, so a failure replays exactly. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES: unknown[] = [
  '',
  ' ',
  '0',
  '-1',
  '1.5',
  '1e308',
  '99999999999999999999999',
  'true',
  'TRUE',
  'null',
  'NaN',
  '[]',
  '{}',
  '{name:a',
  '[{name:a,value:b}]',
  '__proto__',
  'constructor',
  'toString',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "'; DROP TABLE calls; --",
  '%00',
  '\u0000',
  '\ud83d\udcde',
  'ñandú',
  'a'.repeat(5000),
  '+1 888 555 4567',
  '2026-02-30 10:00:00',
  '2026-11-26 10:00:00',
  'http://',
  'https://pbx.example.com/x',
  'ftp://x',
  42,
  -7,
  3.14,
  true,
  false,
  null,
  [],
  ['a', 'b'],
  {},
  { name: 'a', value: 'b' },
  { nested: { deeper: [1, 2, { x: 'y' }] } },
];

interface Operation {
  operationId: string;
  method: string;
  path: string;
  fields: string[];
}

function operationsOf(file: string): Operation[] {
  const doc = parse(readFileSync(`openapi/${file}`, 'utf8')) as {
    paths: Record<string, Record<string, unknown>>;
    components: { schemas: Record<string, unknown> };
  };
  const fieldsOf = (schema: unknown): string[] => {
    const s = schema as { $ref?: string; properties?: object; allOf?: unknown[] } | undefined;
    if (!s) return [];
    if (s.$ref) return fieldsOf(doc.components.schemas[s.$ref.split('/').pop()!]);
    return [...Object.keys(s.properties ?? {}), ...(s.allOf ?? []).flatMap(fieldsOf)];
  };
  const resolve = <T>(item: T | { $ref: string }): T => {
    if (typeof item !== 'object' || item === null || !('$ref' in item)) return item;
    const [, , section, name] = item.$ref.split('/');
    return (doc.components as unknown as Record<string, Record<string, T>>)[section!]![name!]!;
  };
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, raw]) => {
      const op = raw as { operationId: string; parameters?: { name: string; in: string }[]; requestBody?: unknown };
      // Fields in the query (a GET's parameters) and in the body (its schema's properties).
      const query = (op.parameters ?? [])
        .map((p) => resolve(p))
        .filter((p) => p.in === 'query')
        .map((p) => p.name);
      const body = op.requestBody ? resolve(op.requestBody as { content: Record<string, { schema: unknown }> }).content : {};
      const bodyFields = Object.values(body).flatMap((media) => fieldsOf(media.schema));
      return { operationId: op.operationId, method, path, fields: [...new Set([...query, ...bodyFields])] };
    }),
  );
}

// The event stream never ends, so it cannot be answered 25 times in a row: test/control-plane-process.test.ts reads it.
const OPERATIONS = [
  ...operationsOf('phonebridge.yaml'),
  ...operationsOf('phonebridge-v3.yaml'),
  ...operationsOf('accounts.yaml'),
  ...operationsOf('admin.yaml'),
].filter((op) => op.operationId !== 'streamEvents');
const REQUESTS_PER_OPERATION = 25;

describe('seeded junk against every operation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ webhook: { timeoutMs: 300, retries: 0, backoffMs: 1, allowHosts: undefined } });
    await t.http.post(`${BASE}/integrate`).set(auth(TOKENS.admin)).expect(200);
    t.responses.length = 0;
  });

  it.each(OPERATIONS.map((op, i) => [`${op.method.toUpperCase()} ${op.path}`, op, i] as const))(
    '%s: no 500, every answer documented',
    async (_name, op, index) => {
      const next = random(1000 + index);
      const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
      for (let i = 0; i < REQUESTS_PER_OPERATION; i++) {
        const fields: Record<string, unknown> = {};
        for (const name of op.fields) if (next() < 0.7) fields[name] = pick(ODD_VALUES);
        if (next() < 0.2) fields[pick(['extra', 'toString', '__proto__', 'a[b]', ''])] = pick(ODD_VALUES);
        const placement = op.method === 'get' || op.method === 'delete' ? 'query' : pick(['query', 'form', 'json', 'raw'] as const);
        const req = (t.http as unknown as Record<string, (url: string) => import('supertest').Test>)[op.method]!(op.path).set(auth(TOKENS.admin));
        const asText = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
        if (placement === 'query') req.query(asText);
        if (placement === 'form') req.type('form').send(asText);
        if (placement === 'json') req.send(JSON.stringify(fields)).set('Content-Type', 'application/json');
        if (placement === 'raw')
          req
            .set('Content-Type', pick(['text/plain', 'application/xml', 'application/json', 'application/x-www-form-urlencoded; charset=latin1']))
            .send(`${pick(['{', 'a=b&&c', '<x/>', '\u0000\u0001'])}`);
        const res = await req;
        expect(res.status, `${op.method} ${op.path} ${placement} ${JSON.stringify(fields).slice(0, 300)} -> ${res.text.slice(0, 300)}`).not.toBe(500);
      }
      expect(t.errors, 'nothing unexpected was logged').toEqual([]);
      const recorded = t.responses.splice(0);
      expect(recorded, 'every answer went through the document check').toHaveLength(REQUESTS_PER_OPERATION);
      expect(
        recorded.flatMap((r) => r.violations),
        'every answer matches its document',
      ).toEqual([]);
      // The junk reached the operation under test: routed to it, not lost on the way (a body parser, a 404).
      expect(new Set(recorded.map((r) => r.result.operationId)), 'every answer came from the operation under test').toEqual(new Set([op.operationId]));
    },
  );
});
