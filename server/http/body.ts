/**
 * Request bodies as real clients send them: forms, JSON, or nothing at all
 * with everything in the query string. A body that cannot be read (malformed
 * JSON, an unknown charset, too large, nested too deep) is ignored: the request
 * goes on as if it had none, so routing (404) and the token (401) come first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import bodyParser from 'body-parser';
import busboy from 'busboy';
import typeIs from 'type-is';

const MAX_BODY_DEPTH = 16;
const LIMIT = '1mb';

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

/** The body exactly as received, kept beside the parsed one for the request journal. */
const RAW = Symbol('raw body');
type WithRaw = { [RAW]?: Buffer };

/** The bytes of a request's body as received (any content type, up to the limit), or undefined when it had none. */
export function rawBodyOf(req: object): Buffer | undefined {
  return (req as WithRaw)[RAW];
}

const keepRaw = (req: object, _res: unknown, buffer: Buffer) => void ((req as WithRaw)[RAW] = buffer);

/** A request whose body a parser has read: `body` the parsed value (undefined: none the APIs can use). */
export type BodyRequest = IncomingMessage & { body?: unknown };
/** A body parser in connect's shape (body-parser's), run without a router. */
export type BodyParser = (req: BodyRequest, res: ServerResponse, next: (error?: unknown) => void) => void;

const LIMIT_BYTES = 1024 * 1024;

/**
 * `multipart/form-data` read like a form (its fields; files are dropped), as
 * real v3 clients send it (busboy). An unreadable or oversized one is no body.
 */
function multipart(): BodyParser {
  return (req, _res, next) => {
    if (!typeIs(req, ['multipart/form-data'])) return next();
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fieldSize: LIMIT_BYTES, fields: 1000, files: 0, parts: 1000 } });
    } catch {
      return next(); // no boundary: left to the parser of other bodies
    }
    // Null prototype, as the form parser gives: a field named __proto__ is a field.
    const fields = Object.create(null) as Record<string, string>;
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    // Marks the body as read, so the parsers after this one leave it alone.
    (req as unknown as { _body: boolean })._body = true;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= LIMIT_BYTES) chunks.push(chunk);
      else failed = true;
    });
    parser.on('field', (name, value) => void (fields[name] = value));
    parser.on('file', (_name, stream) => void stream.resume());
    parser.on('error', () => {
      failed = true;
      req.unpipe(parser);
      req.resume();
      req.once('end', finish);
    });
    let done = false;
    function finish() {
      if (done) return;
      done = true;
      (req as WithRaw)[RAW] = Buffer.concat(chunks);
      req.body = failed ? undefined : fields;
      next();
    }
    parser.on('close', finish);
    req.pipe(parser);
  };
}

/**
 * Reads a request's body, then calls `done` (never with an error): the form,
 * JSON and multipart parsers (body-parser's, as Express runs them), each
 * turning an unreadable body into none; then any other body is read too (and
 * ignored), so the journal shows what was sent. Called straight, without a
 * router: each request meets only the parser its type selects.
 */
export function bodyReader(): (req: BodyRequest, res: ServerResponse, done: () => void) => void {
  const parsers: BodyParser[] = [
    bodyParser.urlencoded({ extended: false, limit: LIMIT, verify: keepRaw }),
    bodyParser.json({ limit: LIMIT, strict: false, verify: keepRaw }),
    multipart(),
    bodyParser.raw({ type: () => true, limit: LIMIT, verify: keepRaw }),
  ];
  return (req, res, done) => {
    const step = (index: number) => {
      const parse = parsers[index];
      if (!parse) return done();
      parse(req, res, (error?: unknown) => {
        // The last parser only keeps the bytes: a body of another type is no body to the APIs.
        const otherType = index === parsers.length - 1 && Buffer.isBuffer(req.body);
        if (error || otherType || nestedDeeperThan(req.body, MAX_BODY_DEPTH)) req.body = undefined;
        step(index + 1);
      });
    };
    step(0);
  };
}
