/**
 * The web console's pages: static assets built from console/ into
 * dist/console/ (npm run build), served at /__admin/console/, with `/`
 * redirecting there. The assets hold no data; everything they show comes from
 * the control plane's API, which the console calls with the admin token when
 * one is required. The headers keep other sites out: no framing, scripts and
 * connections only from the mock itself.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';

export const CONSOLE_PATH = '/__admin/console/';

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The console's routes, serving the built assets in `dir` (an answer that says how to build them when they are missing). */
export function consoleRoutes(dir: string): Router {
  const router = express.Router({ strict: true });
  router.get('/', (_req, res) => res.redirect(302, CONSOLE_PATH));
  router.get(CONSOLE_PATH.slice(0, -1), (_req, res) => res.redirect(301, CONSOLE_PATH));
  router.use(CONSOLE_PATH, (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.set(SECURITY_HEADERS);
    res.set('Cache-Control', 'no-cache');
    if (!existsSync(path.join(dir, 'index.html')))
      return void res.status(503).type('text/plain').send('The console is not built: run `npm run build` in phonebridge-mock.\n');
    next();
  });
  router.use(CONSOLE_PATH, express.static(dir, { index: 'index.html', fallthrough: true, redirect: false }));
  return router;
}
