/**
 * Request bodies as real clients send them: forms, JSON, or nothing at all
 * with everything in the query string. A body that cannot be read (malformed
 * JSON, an unknown charset, too large, nested too deep) is ignored: the request
 * goes on as if it had none, so routing (404) and the token (401) come first.
 */
import express, { type RequestHandler } from 'express';

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

/** The form and JSON parsers, each turning an unreadable body into none. */
export function bodyParsers(): RequestHandler[] {
  return [express.urlencoded({ extended: false, limit: LIMIT }), express.json({ limit: LIMIT, strict: false })].map(
    (parse): RequestHandler =>
      (req, res, next) =>
        parse(req, res, (error?: unknown) => {
          if (error || nestedDeeperThan(req.body, MAX_BODY_DEPTH)) req.body = undefined;
          next();
        }),
  );
}
