import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { JSON_TYPE } from '../openapi/prefer.js';
import type { SpecApi } from '../openapi/engine.js';
import type { DocumentText } from '../openapi/documents.js';
import type { ApiRequest, ApiResponse, ApiResult } from '../openapi/types.js';
import type { Gate, GateOutcome } from '../controls/gate.js';
import type { ControlPlaneGuard } from './admin-guard.js';
import { originOf, requestBase } from './base-url.js';
import { bodyParsers, rawBodyOf } from './body.js';
import { consoleRoutes } from './console.js';
import type { RequestEvents } from './events.js';

export interface AppDeps {
  /** The documents served, by name; the first one also answers every path no other has (404). */
  apis: [string, SpecApi][];
  /** Served at /openapi.yaml (the first) and /openapi/<name>.yaml. */
  documents: Record<string, DocumentText>;
  /** The base URL handed out in tokens and redirects; default: the one each request came in on, if trusted (base-url.ts). */
  publicUrl?: string;
  /** Where each request's start and end are announced. */
  events: RequestEvents;
  /** The answer to a failure outside every API (the APIs answer their own). */
  internalError: () => ApiResponse;
  /** What every request passes first: the control plane's token and cross-site checks. */
  guard?: ControlPlaneGuard;
  /** What every request passes before its API handles it (limits, faults). */
  gate?: Gate;
  /** The web console's built assets, served at /__admin/console/ (none: not served). */
  consoleDir?: string;
  logError?: (error: unknown) => void;
}

/** The request as if it carried `Prefer: code=<status>`: the engine answers the documented example, running no handler. */
function preferring(request: ApiRequest, status: number): ApiRequest {
  return { ...request, headers: { ...request.headers, prefer: `code=${status}` } };
}

/**
 * A connection that fails as a network does: closed without an answer (FIN),
 * reset (RST), or closed after half of the answer's body (its Content-Length says more).
 */
function drop(res: Response, kind: 'close' | 'reset' | 'half', half: ApiResponse | undefined): void {
  const socket = res.socket;
  if (!socket) return;
  if (kind === 'reset') return void socket.resetAndDestroy();
  if (kind === 'close' || !half || half.body === undefined) return void socket.end();
  const body = Buffer.from(JSON.stringify(half.body));
  res.writeHead(half.status, { 'Content-Type': JSON_TYPE, 'Content-Length': String(body.length) });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => socket.destroy());
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
export function createApp({ apis, documents, publicUrl, events, internalError, guard, gate, consoleDir, logError = console.error }: AppDeps): express.Express {
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

  if (consoleDir) app.use(consoleRoutes(consoleDir));

  app.use(bodyParsers());

  let nextId = 1;
  app.use((req, res, next) => {
    const [name, api] = apis.find(([, other]) => other.hasPath(req.path)) ?? fallback;
    const direct = requestBase(req);
    const baseUrl = publicUrl ?? direct;
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
    const operationId = api.operationOf(request.method, request.path);
    const origins = [...new Set([publicUrl && originOf(publicUrl), originOf(direct)].filter((o): o is string => Boolean(o)))];
    const answer = async () => {
      // A request the guard refuses meets no fault and takes no share of a limit.
      const guarded = guard?.({ request, api: name, operationId, origins });
      const outcome: GateOutcome | undefined = guarded
        ? { tenantId: guarded.tenantId ?? '', refusal: guarded.refusal, release: () => {} }
        : gate
          ? await gate({ request, api: name, operationId })
          : undefined;
      try {
        let result: ApiResult;
        if (outcome?.refusal) {
          result = { ...outcome.refusal, operationId, trace: { operationId, validation: 'skipped', tenantId: outcome.tenantId } };
        } else if (outcome?.drop) {
          // Half of a success body needs one: the operation's documented success, as Prefer would answer it (no handler runs).
          const success = outcome.drop === 'half' && operationId ? api.statusesOf(operationId).find((s) => s.status < 300 && s.example) : undefined;
          const half = success ? await api.handle(preferring(request, success.status)) : undefined;
          drop(res, outcome.drop, half);
          result = { status: 0, operationId, trace: { operationId, validation: 'skipped', tenantId: outcome.tenantId } };
        } else {
          result = await api.handle(outcome?.status ? preferring(request, outcome.status) : request);
          send(req, res, result);
        }
        if (outcome?.refusal) send(req, res, result);
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
          fault: outcome?.fault && { id: outcome.fault.id, effect: outcome.fault.effect },
          // A dropped connection has no answer to check.
          violations: () => (outcome?.drop ? [] : api.checkResponse(result)),
        });
      } finally {
        outcome?.release();
      }
    };
    answer().catch(next);
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
