import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAjv } from '../server/openapi/ajv.js';
import { initialisedBackend } from './backend.js';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The form body, as sent. */
  body: string;
  fields: Record<string, string>;
}

/** How the receiver answers one request: a status (and body), after an optional delay. */
export type Behaviour = (req: Received, count: number) => { status: number; body?: string; delayMs?: number };

/** A vendor's PBX endpoint on loopback that records what Zoho (the mock) sends it. */
export async function startReceiver(behaviour: Behaviour = () => ({ status: 200, body: 'ok' })) {
  const received: Received[] = [];
  const respond = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const entry = { path: new URL(req.url!, 'http://x').pathname, headers: req.headers, body, fields: Object.fromEntries(new URLSearchParams(body)) };
    received.push(entry);
    const answer = behaviour(entry, received.length);
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': 'text/plain' });
    res.end(answer.body ?? '');
  };
  const server = http.createServer((req, res) => void respond(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on. */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * Validates a received form against the matching `callbacks` entry of
 * enableClickToCall in openapi/phonebridge.yaml (clickToCall, answer, ... keypress).
 */
export async function callbackValidator() {
  const backend = await initialisedBackend('phonebridge.yaml');
  const callbacks = backend.router.getOperation('enableClickToCall')!.callbacks as unknown as Record<
    string,
    Record<string, { post: { requestBody: { content: Record<string, { schema: object }> } } }>
  >;
  const ajv = createAjv({ strict: false, allErrors: true });
  return (name: string, fields: Record<string, string>): string[] => {
    const [pathItem] = Object.values(callbacks[name] ?? {});
    if (!pathItem) return [`no callback named ${name}`];
    const validate = ajv.compile(pathItem.post.requestBody.content['application/x-www-form-urlencoded']!.schema);
    return validate(fields) ? [] : (validate.errors ?? []).map((e) => `${name}: ${e.instancePath || 'body'} ${e.message}`);
  };
}
