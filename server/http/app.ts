import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { JSON_TYPE } from '../openapi/prefer.js';
import type { SpecApi } from '../openapi/engine.js';
import type { DocumentText } from '../openapi/documents.js';
import type { ApiRequest, ApiResponse } from '../openapi/types.js';
import { bodyParsers, rawBodyOf } from './body.js';
import type { RequestEvents } from './events.js';

export interface AppDeps {
  /** The documents served, by name; the first one also answers every path no other has (404). */
  apis: [string, SpecApi][];
  /** Served at /openapi.yaml (the first) and /openapi/<name>.yaml. */
  documents: Record<string, DocumentText>;
  /** The base URL handed out in tokens and redirects; default: the one each request came in on. */
  publicUrl?: string;
  /** Where each request's start and end are announced. */
  events: RequestEvents;
  /** The answer to a failure outside every API (the APIs answer their own). */
  internalError: () => ApiResponse;
  logError?: (error: unknown) => void;
}

function send(req: Request, res: Response, { status, body, headers, stream }: ApiResponse): void {
  if (stream) return stream(req, res);
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
 * hands every other request to the API owning its path. It never listens.
 */
export function createApp({ apis, documents, publicUrl, events, internalError, logError = console.error }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const [fallback] = apis;
  if (!fallback) throw new Error('createApp needs at least one API');
  for (const [name, document] of Object.entries(documents)) {
    const path = name === fallback[0] ? '/openapi' : `/openapi/${name}`;
    const json = JSON.stringify(document.document, null, 2);
    app.get(`${path}.json`, (_req, res) => void res.type('application/json').send(json));
    app.get(`${path}.yaml`, (_req, res) => void res.type('application/yaml').send(document.yaml));
  }

  app.use(bodyParsers());

  let nextId = 1;
  app.use((req, res, next) => {
    const [name, api] = apis.find(([, other]) => other.hasPath(req.path)) ?? fallback;
    const baseUrl = publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    const start = { id: nextId++, at: new Date(), method: req.method, path: req.path };
    const started = performance.now();
    events.emit('request:start', start);
    // HEAD is GET without the body (Node drops it).
    const request: ApiRequest = {
      method: req.method === 'HEAD' ? 'GET' : req.method,
      path: req.path,
      headers: req.headers,
      query: req.query,
      body: req.body as unknown,
      baseUrl,
    };
    api
      .handle(request)
      .then((result) => {
        send(req, res, result);
        const { validation = 'skipped', ...trace } = result.trace ?? {};
        events.emit('request:end', {
          ...start,
          ...trace,
          api: name,
          request,
          rawBody: rawBodyOf(req),
          status: result.status,
          durationMs: performance.now() - started,
          validation,
          result,
          violations: () => api.checkResponse(result),
        });
      })
      .catch(next);
  });

  // Anything unexpected: the API's error envelope, never a stack trace.
  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    logError(error);
    if (res.headersSent) return res.end();
    send(_req, res, internalError());
  };
  app.use(onError);
  return app;
}
