/**
 * `phonebridge-contract vendor`: checks a vendor's receiver (its PBX side)
 * without Zoho. Sends the requests Zoho sends, built from the `callbacks` of
 * the registration operations of the API's document (v2: enableClickToCall in
 * openapi/phonebridge.yaml; v3: v3EnableClickToDial and v3EnableCallControl in
 * openapi/phonebridge-v3.yaml), to the URLs given, and reports whether each
 * answered 2xx in time.
 */
import { parseArgs } from 'node:util';
import { Contract, exampleText, flatten, type Operation, type SchemaObject } from './lib/document.js';

/** The registration field each callback's URL comes from, as the document's runtime expressions say. */
function urlField(expression: string): string {
  return /^\{\$request\.body#\/(\w+)\}$/.exec(expression)?.[1] ?? expression;
}

interface Check {
  callback: string;
  url: string;
  fields: [string, string][];
}

type Callbacks = Record<string, Record<string, { post: { requestBody: { content: Record<string, { schema: SchemaObject }> } } }>>;

const USAGE = `usage: phonebridge-contract vendor [--api v2] --clicktocallurl URL [--answerurl URL] [--hungupurl URL] [--muteurl URL]
         [--unmuteurl URL] [--holdurl URL] [--unholdurl URL] [--keypressurl URL]
         [--authorization NAME=VALUE] [--param NAME=VALUE ...] [--callrefid ID] [--timeout MS]
       phonebridge-contract vendor --api v3 [--clicktodialuri URL] [--answeruri URL] [--hungupuri URL] [--muteuri URL]
         [--unmuteuri URL] [--holduri URL] [--unholduri URL] [--keypressuri URL] (at least one)
         [--authorization NAME=VALUE] [--clicktodialparam NAME=VALUE ...] [--callcontrolparam NAME=VALUE ...]
         [--tonumber NUMBER] [--callrefid ID] [--timeout MS]
Sends each request Zoho sends to the URLs given (v2, the default: as registered with
clicktocallandcallcontrol; v3: as registered with clicktodial and callcontrol) and checks that each
answers 2xx within the timeout (default 5000 ms). Exit 1 if any does not.
v3: the click-to-dial request carries tonumber (default the document's example), then each
--clicktodialparam pair with {to} (or '{to}') in its value replaced by that number; the call-control
requests carry callrefid (and digit for keypress), then each --callcontrolparam pair; the
--authorization pair follows, and also travels as a header of that name.`;

/** v3's name/value pair field of a registration (clicktodialparam, callcontrolparam): sent with its callbacks' requests. */
function pairFieldOf(contract: Contract, op: Operation): string | undefined {
  return Object.keys(contract.paramsSchema(op.operationId)?.properties ?? {}).find((name) => name.endsWith('param') && name !== 'authorizationparam');
}

export async function vendorMain(argv: string[]): Promise<number> {
  // The options depend on the API's document: --api first.
  const api = parseArgs({ args: argv, options: { api: { type: 'string' } }, strict: false, allowPositionals: true }).values.api ?? 'v2';
  if (api !== 'v2' && api !== 'v3') {
    console.error(`--api ${String(api)}: the vendor check takes v2 or v3\n\n${USAGE}`);
    return 2;
  }
  const v3 = api === 'v3';
  const contract = Contract.load(v3 ? 'phonebridge-v3.yaml' : 'phonebridge.yaml');
  const registrations = contract
    .operations()
    .filter((op) => op.callbacks)
    .map((op) => ({ callbacks: op.callbacks as unknown as Callbacks, pairField: v3 ? pairFieldOf(contract, op) : undefined }));
  const urlOptions = Object.fromEntries(
    registrations.flatMap((r) => Object.values(r.callbacks).map((cb) => [urlField(Object.keys(cb)[0]!), { type: 'string' as const }])),
  );
  const pairOptions = v3
    ? Object.fromEntries(registrations.flatMap((r) => (r.pairField ? [[r.pairField, { type: 'string' as const, multiple: true as const }]] : [])))
    : { param: { type: 'string' as const, multiple: true as const } };
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        api: { type: 'string' },
        ...urlOptions,
        ...pairOptions,
        ...(v3 ? { tonumber: { type: 'string' as const } } : {}),
        authorization: { type: 'string' },
        callrefid: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const urlGiven = v3 ? Object.keys(urlOptions).some((name) => typeof values[name] === 'string') : Boolean(values.clicktocallurl);
  if (values.help || !urlGiven) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const timeoutMs = Number(values.timeout ?? 5000);
  const pair = (text: string) => {
    const at = text.indexOf('=');
    return [text.slice(0, at), text.slice(at + 1)] as [string, string];
  };
  const pairsOf = (option: string) => ((values[option] as string[] | undefined) ?? []).map(pair);
  const auth = typeof values.authorization === 'string' ? pair(values.authorization) : undefined;

  const checks: Check[] = [];
  for (const { callbacks, pairField } of registrations) {
    for (const [name, pathItem] of Object.entries(callbacks)) {
      const [expression, item] = Object.entries(pathItem)[0]!;
      const url = values[urlField(expression)];
      if (typeof url !== 'string') continue;
      const schema = flatten(item.post.requestBody.content['application/x-www-form-urlencoded']!.schema);
      const fields: [string, string][] = (schema.required ?? []).map((field) => [
        field,
        exampleFor(field, schema.properties?.[field], values as Record<string, string | undefined>),
      ]);
      // v3: the registration's own pairs, `{to}` replaced by the number clicked; v2: --param, for every request.
      const tonumber = fields.find(([field]) => field === 'tonumber')?.[1];
      const custom = v3
        ? pairsOf(pairField ?? '').map(([k, v]): [string, string] => [k, tonumber === undefined ? v : v.replace(/'\{to\}'|\{to\}/g, tonumber)])
        : pairsOf('param');
      checks.push({ callback: name, url, fields: [...fields, ...custom, ...(auth ? [auth] : [])] });
    }
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

/** A required field's value: the option of its name where there is one (--callrefid, v3's --tonumber), else the document's example. */
function exampleFor(field: string, schema: SchemaObject | undefined, values: Record<string, string | undefined>): string {
  if ((field === 'callrefid' || field === 'tonumber') && typeof values[field] === 'string') return values[field];
  if (field === 'digit') return '5';
  const example = schema?.example ?? schema?.allOf?.find((s) => s.example !== undefined)?.example;
  if (example === undefined) return 'x';
  return exampleText(example);
}
