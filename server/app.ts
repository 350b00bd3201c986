import express, { type ErrorRequestHandler, type Response } from 'express';
import { errorResponse } from './errors.js';
import { mergeRequestParams } from './request-params.js';
import { JSON_TYPE, type ApiResult, type SpecApi } from './spec-api.js';
import type { SpecText } from './spec.js';

export interface AppDeps {
  /** PhoneBridge also answers every path no other document has (404). */
  phonebridge: SpecApi;
  /** Other documents served beside it (Zoho's accounts server, the mock's control plane), by name. */
  others: Record<string, SpecApi>;
  /** Served at /openapi.yaml (phonebridge) and /openapi/<name>.yaml. */
  specs: Record<string, SpecText>;
  /** The base URL handed out in tokens and redirects; default: the one each request came in on. */
  publicUrl?: string;
  /** Called with every response and the document violations found in it (tests fail on any). */
  onResponse?: (result: ApiResult, violations: string[]) => void;
  logError?: (error: unknown) => void;
}

const MAX_BODY_DEPTH = 16;

/** Whether a parsed body nests objects deeper than `max` (checked without recursion, so any depth is safe). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

function send(res: Response, { status, body, headers }: ApiResult): void {
  res.status(status);
  for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
  if (body === undefined) {
    res.end();
  } else if (typeof body === 'string' && res.hasHeader('Content-Type')) {
    res.end(body); // a page
  } else {
    res.setHeader('Content-Type', JSON_TYPE);
    res.end(JSON.stringify(body));
  }
}

/**
 * The Express app: body parsers, the served documents, and one catch-all that
 * hands every other request to the spec-driven API owning its path (the
 * accounts server's, the control plane's, or PhoneBridge's, which also answers
 * unknown paths). It never listens.
 */
export function createApp({ phonebridge, others, specs, publicUrl, onResponse, logError = console.error }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const serve = (path: string, spec: SpecText) => {
    const json = JSON.stringify(spec.document, null, 2);
    app.get(`${path}.json`, (_req, res) => void res.type('application/json').send(json));
    app.get(`${path}.yaml`, (_req, res) => void res.type('application/yaml').send(spec.yaml));
  };
  for (const [name, spec] of Object.entries(specs)) serve(name === 'phonebridge' ? '/openapi' : `/openapi/${name}`, spec);

  // Real clients send forms, JSON, or nothing at all with everything in the query string.
  // A body that cannot be read (malformed JSON, an unknown charset, too large, nested too deep)
  // is ignored: the request goes on as if it had none, so routing (404) and the token (401) come first.
  for (const parse of [express.urlencoded({ extended: false, limit: '1mb' }), express.json({ limit: '1mb', strict: false })]) {
    app.use((req, res, next) => parse(req, res, (error?: unknown) => {
      if (error || nestedDeeperThan(req.body, MAX_BODY_DEPTH)) req.body = undefined;
      next();
    }));
  }

  app.use((req, res, next) => {
    const api = Object.values(others).find((other) => other.hasPath(req.path)) ?? phonebridge;
    const baseUrl = publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    api
      // HEAD is GET without the body (Node drops it).
      .handle({ method: req.method === 'HEAD' ? 'GET' : req.method, path: req.path, headers: req.headers, params: mergeRequestParams(req.query, req.body), baseUrl })
      .then((result) => {
        onResponse?.(result, api.checkResponse(result));
        send(res, result);
      })
      .catch(next);
  });

  // Anything unexpected: a Zoho error, never a stack trace.
  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    logError(error);
    if (res.headersSent) return res.end();
    send(res, errorResponse('INTERNAL_ERROR'));
  };
  app.use(onError);
  return app;
}
