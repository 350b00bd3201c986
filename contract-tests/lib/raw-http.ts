import net from 'node:net';
import tls from 'node:tls';
import type { SentRequest } from './exchange.js';

/**
 * How many bytes a server sends after the headers of its answer to this
 * request, read off the socket. fetch hides a body sent with a 204 (HTTP says
 * there is none), yet such bytes corrupt a keep-alive connection for real
 * clients; this is how the suite sees them. Only for requests that change nothing.
 */
export function bytesAfterHeaders({ method, url, headers, body }: SentRequest, timeoutMs = 5000): Promise<number> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const port = Number(target.port || (secure ? 443 : 80));
  const lines = [
    `${method} ${target.pathname}${target.search} HTTP/1.1`,
    `Host: ${target.host}`,
    'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  const request = `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;

  return new Promise((resolve, reject) => {
    const socket = secure ? tls.connect({ host: target.hostname, port, servername: target.hostname }) : net.connect({ host: target.hostname, port });
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no end of response within ${timeoutMs} ms`)));
    socket.on(secure ? 'secureConnect' : 'connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks);
      const end = raw.indexOf('\r\n\r\n');
      resolve(end < 0 ? 0 : raw.length - end - 4);
    });
  });
}
