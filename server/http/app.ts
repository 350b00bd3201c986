import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { Socket } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
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

/** The mock's HTTP handler: an Express app (a request listener for any Node server, and supertest). */
export type App = express.Express;

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
 * The Express app, with one middleware: the served documents, the console's
 * pages (Express's static files), and every other request read (body-parser's
 * parsers, called straight) and handed to the API owning its path. Nothing
 * routes a request twice: the APIs' engines route by their documents. (A layer
 * per document, parser and route cost Express's router 13 % of a busy mock's
 * time; one layer costs it little.) It never listens.
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
  // Called from the body parsers' callbacks, outside Express's own try/catch: a throw is answered here.
  const handleApi = (req: BodyRequest, res: ServerResponse, path: string, query: Record<string, unknown>) => {
    try {
      answerApi(req, res, path, query);
    } catch (error) {
      onError(res)(error);
    }
  };
  const answerApi = (req: BodyRequest, res: ServerResponse, path: string, query: Record<string, unknown>) => {
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

  const consoleRouter = consoleDir ? consoleRoutes(consoleDir) : undefined;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // One middleware, so Express's router matches a single layer per request; what follows is a table lookup.
  app.use((req, res) => {
    const path = req.path;
    if (req.method === 'GET' || req.method === 'HEAD') {
      const document = served.get(path.replace(/(.)\/$/, '$1').toLowerCase());
      if (document) return sendText(res, ...document);
    }
    const toApi = () => readBody(req, res, () => handleApi(req, res, path, req.query));
    // The console's pages (any case, as Express's router matched them); anything they do not serve (another
    // method, an unknown file) goes on to the APIs, and a failure to read a file is an internal error.
    if (consoleRouter && (path === '/' || path.toLowerCase().startsWith(CONSOLE_PATH.slice(0, -1))))
      return void consoleRouter(req, res, (error?: unknown) => (error ? onError(res)(error) : toApi()));
    toApi();
  });
  // Anything unexpected: the API's error envelope, never a stack trace.
  app.use(((error: unknown, _req, res, _next) => onError(res)(error)) as ErrorRequestHandler);
  return app;
}

/**
 * A server for the app whose requests and responses are born with the app's
 * own prototypes (`app.request`, `app.response`). Express gives every request
 * and response those prototypes as it takes them (Object.setPrototypeOf), and
 * an object whose prototype changes after birth is slow for V8 from then on;
 * here the change is a no-op. Measured on a busy mock: ~1.4x the requests per
 * second of a plain `app.listen` server (bench/README.md).
 */
export function serverFor(app: App): Server {
  // Node passes options too (the socket's highWaterMark, rejectNonStandardBodyWrites): forwarded as given.
  function Request(this: IncomingMessage, ...args: unknown[]) {
    (IncomingMessage as unknown as (...a: unknown[]) => void).apply(this, args);
  }
  Request.prototype = app.request;
  function Response(this: ServerResponse, ...args: unknown[]) {
    (ServerResponse as unknown as (...a: unknown[]) => void).apply(this, args);
  }
  Response.prototype = app.response;
  return createServer({ IncomingMessage: Request as unknown as typeof IncomingMessage, ServerResponse: Response as unknown as typeof ServerResponse }, app);
}
