/**
 * The base URL the mock hands out (`api_domain`, `accounts-server`, the
 * consent redirect) and its own origin, without trusting the Host header.
 *
 * A Host header is whatever the client wrote; in a browser it is the name the
 * page was loaded from, which DNS rebinding points at the mock. Handing that
 * name back as `api_domain` would send a vendor's next requests, tokens
 * included, to the attacker's host. So a Host is used only when it names
 * loopback (any port: a container's port mapping shows up there) or the very
 * address and port the request arrived on; any other Host is replaced by that
 * address. PHONEBRIDGE_PUBLIC_URL, when set, is the base URL whatever the Host.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isLoopbackHost, urlHost } from '../net/addresses.js';

/** scheme://host[:port] of a URL, as browsers write Origin; undefined when it is none. */
export function originOf(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const { origin } = new URL(url);
  return origin === 'null' ? undefined : origin;
}

/** The URL this request reached the mock on, as far as it can be trusted (see above). */
export function requestBase(req: IncomingMessage): string {
  // Forwarded headers are not trusted either: the scheme is the connection's own.
  const protocol = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  const local = `${urlHost(req.socket.localAddress ?? '127.0.0.1')}:${req.socket.localPort ?? 80}`;
  const direct = `${protocol}://${local}`;
  const host = req.headers.host;
  if (!host) return direct;
  const claimed = originOf(`${protocol}://${host}`);
  if (!claimed) return direct;
  const { hostname } = new URL(claimed);
  return isLoopbackHost(hostname) || claimed === originOf(direct) ? claimed : direct;
}
