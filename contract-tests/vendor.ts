/**
 * `phonebridge-contract vendor`: checks a vendor's receiver (its PBX side)
 * without Zoho. Sends the requests Zoho sends, built from the `callbacks` of
 * enableClickToCall in openapi/phonebridge.yaml, to the URLs given, and
 * reports whether each answered 2xx in time.
 */
import { parseArgs } from 'node:util';
import { Contract, exampleText, flatten, type SchemaObject } from './lib/document.js';

/** The registration field each callback's URL comes from, as the document's runtime expressions say. */
function urlField(expression: string): string {
  return /^\{\$request\.body#\/(\w+)\}$/.exec(expression)?.[1] ?? expression;
}

interface Check {
  callback: string;
  url: string;
  fields: [string, string][];
}

const USAGE = `usage: phonebridge-contract vendor --clicktocallurl URL [--answerurl URL] [--hungupurl URL] [--muteurl URL]
         [--unmuteurl URL] [--holdurl URL] [--unholdurl URL] [--keypressurl URL]
         [--authorization NAME=VALUE] [--param NAME=VALUE ...] [--callrefid ID] [--timeout MS]
Sends each request Zoho sends to the URLs given (as registered with clicktocallandcallcontrol) and
checks that each answers 2xx within the timeout (default 5000 ms). Exit 1 if any does not.`;

export async function vendorMain(argv: string[]): Promise<number> {
  const contract = Contract.load();
  const callbacks = contract.operation('enableClickToCall').callbacks as unknown as Record<
    string,
    Record<string, { post: { requestBody: { content: Record<string, { schema: SchemaObject }> } } }>
  >;
  const urlOptions = Object.fromEntries(Object.values(callbacks).map((cb) => [urlField(Object.keys(cb)[0]!), { type: 'string' as const }]));
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        ...urlOptions,
        authorization: { type: 'string' },
        param: { type: 'string', multiple: true },
        callrefid: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help || !values.clicktocallurl) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const timeoutMs = Number(values.timeout ?? 5000);
  const pair = (text: string) => {
    const at = text.indexOf('=');
    return [text.slice(0, at), text.slice(at + 1)] as [string, string];
  };
  const custom = ((values.param as string[] | undefined) ?? []).map(pair);
  const auth = typeof values.authorization === 'string' ? pair(values.authorization) : undefined;

  const checks: Check[] = [];
  for (const [name, pathItem] of Object.entries(callbacks)) {
    const [expression, item] = Object.entries(pathItem)[0]!;
    const url = values[urlField(expression)];
    if (typeof url !== 'string') continue;
    const schema = flatten(item.post.requestBody.content['application/x-www-form-urlencoded']!.schema);
    const fields: [string, string][] = (schema.required ?? []).map((field) => [
      field,
      exampleFor(field, schema.properties?.[field], values.callrefid as string | undefined),
    ]);
    checks.push({ callback: name, url, fields: [...fields, ...custom, ...(auth ? [auth] : [])] });
  }

  let passed = 0;
  let failed = 0;
  for (const check of checks) {
    const started = performance.now();
    let outcome: string;
    let ok = false;
    try {
      const res = await fetch(check.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(auth ? { [auth[0]]: auth[1] } : {}) },
        body: new URLSearchParams(check.fields).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer();
      ok = res.status >= 200 && res.status < 300;
      outcome = `HTTP ${res.status}`;
    } catch (error) {
      const e = error as { name?: string; cause?: { code?: string }; message?: string };
      outcome = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message ?? String(error));
    }
    const ms = Math.round(performance.now() - started);
    if (ok) passed++;
    else failed++;
    console.log(`${ok ? '✓' : '✗'} ${check.callback.padEnd(12)} POST ${check.url}  ${outcome} in ${ms} ms`);
    if (!ok) console.log(`    sent: ${new URLSearchParams(check.fields).toString()}`);
  }
  console.log(`\n${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

function exampleFor(field: string, schema: SchemaObject | undefined, callrefid: string | undefined): string {
  if (field === 'callrefid' && callrefid) return callrefid;
  if (field === 'digit') return '5';
  const example = schema?.example ?? schema?.allOf?.find((s) => s.example !== undefined)?.example;
  if (example === undefined) return 'x';
  return exampleText(example);
}
