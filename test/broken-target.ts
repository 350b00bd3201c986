import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedResponse {
  method: string;
  path: string;
  /** What was asked: the query string (without `?`) and the body as text ('' for none). */
  request: { query: string; body: string };
  status: number;
  headers: Record<string, string>;
  /** The body as text; '' for none. */
  text: string;
}

/** Alters one response; returns it changed (or as it was). `raw` sends bytes on the socket as they are. */
export type Mutation = (response: ProxiedResponse) => ProxiedResponse & { raw?: string };

/**
 * A deliberately broken PhoneBridge target: a loopback proxy in front of the
 * mock that alters its responses, to prove the contract suite notices.
 */
export async function startBrokenTarget(upstream: string, mutate: Mutation): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    forward(req, res).catch((error: unknown) => {
      // A proxy bug must show as a failure, not hang the suite.
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`broken-target proxy failed: ${String(error)}`);
    });
  });
  const forward = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k))) as Record<
      string,
      string
    >;
    const upstreamRes = await fetch(upstream + req.url, {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
      redirect: 'manual',
    });
    const url = new URL(req.url!, 'http://x');
    const original: ProxiedResponse = {
      method: req.method!,
      path: url.pathname,
      request: { query: url.search.slice(1), body: Buffer.concat(chunks).toString('utf8') },
      status: upstreamRes.status,
      headers: Object.fromEntries(
        [...upstreamRes.headers].filter(([k]) => !['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date'].includes(k)),
      ),
      text: await upstreamRes.text(),
    };
    const changed = mutate(structuredClone(original));
    if (changed.raw !== undefined) {
      res.socket!.end(changed.raw);
      return;
    }
    res.writeHead(changed.status, { ...changed.headers, 'content-length': Buffer.byteLength(changed.text) });
    res.end(changed.text);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Changes the JSON body of responses that match, leaving others alone. */
export function editJson(when: (r: ProxiedResponse, body: Record<string, unknown>) => boolean, edit: (body: Record<string, unknown>) => void): Mutation {
  return (r) => {
    if (!r.text || !/json/.test(r.headers['content-type'] ?? '')) return r;
    const body = JSON.parse(r.text) as Record<string, unknown>;
    if (!when(r, body)) return r;
    edit(body);
    return { ...r, text: JSON.stringify(body) };
  };
}
