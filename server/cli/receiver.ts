/**
 * `phonebridge-mock receiver`: a stand-in for the vendor's PBX, to see what Zoho (here, the mock) sends before
 * writing the real receiver. It answers every request 200 and prints it: method, path, fields, authorization.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceiverOptions {
  port: number;
  host: string;
  /** The status every request is answered with. */
  status: number;
}

const MAX_BODY = 64 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** One line per request, then its fields (query and form body) and the headers a vendor checks. */
export function describeRequest(method: string, url: string, headers: IncomingMessage['headers'], body: string): string {
  const target = new URL(url, 'http://receiver');
  const fields = new URLSearchParams(target.search);
  if ((headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) for (const [k, v] of new URLSearchParams(body)) fields.append(k, v);
  const lines = [`${new Date().toISOString().slice(11, 23)} ${method} ${target.pathname}`];
  for (const [name, value] of fields) lines.push(`    ${name} = ${value}`);
  if (body && !(headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) lines.push(`    body: ${body}`);
  for (const header of ['authorization', 'content-type', 'user-agent'])
    if (headers[header] !== undefined) lines.push(`    (header) ${header}: ${String(headers[header])}`);
  return lines.join('\n');
}

export function runReceiver({ port, host, status }: ReceiverOptions): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      readBody(req).then(
        (body) => {
          console.log(describeRequest(req.method ?? 'GET', req.url ?? '/', req.headers, body));
          res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: status < 400 ? 'success' : 'error' }));
        },
        () => res.writeHead(413).end(),
      );
    });
    server.once('error', (error: NodeJS.ErrnoException) => {
      console.error(
        error.code === 'EADDRINUSE'
          ? `phonebridge-mock receiver: port ${port} is already in use on ${host}; pass --port`
          : `phonebridge-mock receiver: cannot listen on ${host}:${port}: ${error.message}`,
      );
      resolve(1);
    });
    server.listen(port, host, () => {
      const { port: actual } = server.address() as AddressInfo;
      console.log(`phonebridge-mock receiver listening on http://${host}:${actual}: answers every request ${status} and prints it (Ctrl-C stops)`);
    });
    const stop = () => server.close(() => resolve(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
