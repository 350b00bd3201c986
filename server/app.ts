import express, { type ErrorRequestHandler, type Response } from 'express';
import type { ApiResult, PhoneBridgeApi } from './api.js';
import { errorResponse } from './errors.js';
import { mergeRequestParams } from './request-params.js';
import type { SpecText } from './spec.js';

export interface AppDeps {
  api: PhoneBridgeApi;
  spec: SpecText;
  /** Called with every response and the document violations found in it (tests fail on any). */
  onResponse?: (result: ApiResult, violations: string[]) => void;
  logError?: (error: unknown) => void;
}

const JSON_TYPE = 'application/json;charset=utf-8';

function send(res: Response, { status, body, headers }: ApiResult): void {
  res.status(status);
  for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
  if (body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', JSON_TYPE);
  res.end(JSON.stringify(body));
}

/**
 * The Express app: body parsers, the served document, and one catch-all that
 * hands every other request to the spec-driven API. It never listens.
 */
export function createApp({ api, spec, onResponse, logError = console.error }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const json = JSON.stringify(spec.document, null, 2);
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(json);
  });
  app.get('/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(spec.yaml);
  });

  // Real clients send forms, JSON, or nothing at all with everything in the query string.
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));
  app.use(express.json({ limit: '1mb', strict: false }));

  app.use((req, res, next) => {
    api
      .handle({ method: req.method, path: req.path, headers: req.headers, params: mergeRequestParams(req.query, req.body) })
      .then((result) => {
        onResponse?.(result, api.checkResponse(result));
        send(res, result);
      })
      .catch(next);
  });

  // Body parser failures (malformed JSON, too large) and anything unexpected: a Zoho error, never a stack trace.
  const onError: ErrorRequestHandler = (error: { status?: number; type?: string }, _req, res, _next) => {
    const clientError = typeof error.status === 'number' && error.status >= 400 && error.status < 500;
    if (!clientError) logError(error);
    const result = clientError ? errorResponse('MALFORMED_BODY') : errorResponse('INTERNAL_ERROR');
    if (res.headersSent) return res.end();
    send(res, result);
  };
  app.use(onError);
  return app;
}

