import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import express from 'express';
import parseUrl from 'parseurl';
import { JSON_TYPE } from '../openapi/prefer.js';
import type { SpecApi } from '../openapi/engine.js';
import type { DocumentText } from '../openapi/documents.js';
import type { ApiRequest, ApiResponse, ApiResult } from '../openapi/types.js';
import type { Gate, GateOutcome } from '../controls/gate.js';
import type { ControlPlaneGuard } from './admin-guard.js';
import { originOf, requestBase } from './base-url.js';
import { bodyReader, rawBodyOf, type BodyRequest } from './body.js';
import { CONSOLE_PATH, consoleRoutes } from './console.js';
import type { RequestEvents } from './events.js';

/** The mock's HTTP handler: a request listener for any Node server (and supertest), with Express's `listen` shorthand. */
export interface App {
  (req: IncomingMessage, res: ServerResponse): void;
  /** A new server for this app, listening (as Express's app.listen). */
  listen(port: number, host?: string): Server;
}

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
function drop(res: ServerResponse, kind: 'close' | 'reset' | 'half', half: ApiResponse | undefined): void {
  const socket = res.socket;
  if (!socket) return;
  if (kind === 'reset') return void socket.resetAndDestroy();
  if (kind === 'close' || !half || half.body === undefined) return void socket.end();
  const body = Buffer.from(JSON.stringify(half.body));
  res.writeHead(half.status, { 'Content-Type': JSON_TYPE, 'Content-Length': String(body.length) });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => socket.destroy());
}

function send(req: IncomingMessage, res: ServerResponse, { status, body, headers, stream }: ApiResponse): void {
  if (stream) return stream(req, res);
  res.statusCode = status;
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

/** A fixed answer (the served documents), as Express's res.send gave it. */
function sendText(res: ServerResponse, type: string, text: string): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', `${type}; charset=utf-8`);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** What a connection's requests share when they name the same Host: the base URL and the origins of the control plane (base-url.ts). */
interface Where {
  host: string | undefined;
  direct: string;
  origins: string[];
}

/**
 * The mock's HTTP handler, on Node's own server: the served documents, the
 * console's pages (Express serves those static files), and every other request
 * read (body parsers) and handed to the API owning its path. Nothing routes a
 * request twice: the APIs' engines route by their documents.
 */
export function createApp({ apis, documents, publicUrl, events, internalError, guard, gate, consoleDir, logError = console.error }: AppDeps): App {
  const [fallback] = apis;
  if (!fallback) throw new Error('createApp needs at least one API');
  /** GET (and HEAD) paths of the documents, lower case as Express matched them: the media type and the text. */
  const served = new Map<string, [string, string]>();
  for (const [name, document] of Object.entries(documents)) {
    const path = name === fallback[0] ? '/openapi' : `/openapi/${name}`;
    served.set(`${path}.json`.toLowerCase(), ['application/json', JSON.stringify(document.document, null, 2)]);
    served.set(`${path}.yaml`.toLowerCase(), ['application/yaml', document.yaml]);
  }
  const consoleApp = consoleDir ? express().disable('x-powered-by').set('etag', false).use(consoleRoutes(consoleDir)) : undefined;
  const readBody = bodyReader();
  const publicOrigin = publicUrl && originOf(publicUrl);

  // Per connection: the base URL costs two URL parses, and a keep-alive connection's requests name the same Host.
  const whereOf = new WeakMap<Socket, Where>();
  const where = (req: IncomingMessage): Where => {
    const known = whereOf.get(req.socket);
    if (known && known.host === req.headers.host) return known;
    const direct = requestBase(req);
    const origins = [...new Set([publicOrigin, originOf(direct)].filter((o): o is string => Boolean(o)))];
    const fresh = { host: req.headers.host, direct, origins };
    whereOf.set(req.socket, fresh);
    return fresh;
  };

  let nextId = 1;
  const handleApi = (req: BodyRequest, res: ServerResponse, path: string, query: Record<string, unknown>) => {
    const [name, api] = apis.find(([, other]) => other.hasPath(path)) ?? fallback;
    const { direct, origins } = where(req);
    const baseUrl = publicUrl ?? direct;
    const start = { id: nextId++, at: new Date(), method: req.method ?? 'GET', path };
    const started = performance.now();
    events.emit('request:start', start);
    // HEAD is GET without the body (Node drops it).
    const request: ApiRequest = {
      method: start.method === 'HEAD' ? 'GET' : start.method,
      path,
      headers: req.headers,
      query,
      body: req.body,
      baseUrl,
    };
    const operationId = api.operationOf(request.method, request.path);
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
    answer().catch(onError(res));
  };

  // Anything unexpected: the API's error envelope, never a stack trace.
  const onError = (res: ServerResponse) => (error: unknown) => {
    logError(error);
    if (res.headersSent) return void res.end();
    send(res.req, res, internalError());
  };

  const app = ((req: IncomingMessage, res: ServerResponse) => {
    try {
      const url = parseUrl(req);
      const path = url?.pathname ?? '/';
      const method = req.method ?? 'GET';
      if (method === 'GET' || method === 'HEAD') {
        const document = served.get(path.replace(/(.)\/$/, '$1').toLowerCase());
        if (document) return sendText(res, ...document);
      }
      // Express's default (`simple`) query parser: Node's querystring, values a string or an array of them.
      const query = url?.query ? (parseQuery(typeof url.query === 'string' ? url.query : '') as Record<string, unknown>) : {};
      const toApi = () => readBody(req, res, () => handleApi(req, res, path, query));
      // The console's pages; anything they do not serve (another method, an unknown file) goes on to the APIs.
      if (consoleApp && (path === '/' || path.startsWith(CONSOLE_PATH.slice(0, -1))))
        return void consoleApp(req as express.Request, res as express.Response, toApi);
      toApi();
    } catch (error) {
      onError(res)(error);
    }
  }) as App;
  app.listen = (port, host) => createServer(app).listen(port, host);
  return app;
}
