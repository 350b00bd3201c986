/**
 * What the mock needs to know about a host: whether it is an IP address (in
 * any spelling WHATWG URL parsing leaves, IPv4-mapped IPv6 included), and
 * whether it names this machine's loopback. Used by the start-up banner (is
 * the control plane reachable from elsewhere?), the base URL handed out and
 * the outbound address guard.
 */
import ipaddr from 'ipaddr.js';

export type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/** The host without the brackets of an IPv6 literal, without a root dot, lower case. */
export function bareHost(host: string): string {
  return host
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.+$/, '')
    .toLowerCase();
}

/** The address a host literally is, IPv4-mapped IPv6 as the IPv4 it maps; undefined for a name. */
export function parseIp(host: string): Ip | undefined {
  const bare = bareHost(host);
  // isValid also accepts the shorthands URL parsing already normalised (127.1); a name never parses.
  if (!ipaddr.isValid(bare)) return undefined;
  return ipaddr.process(bare);
}

/** `localhost` and its subdomains, which resolvers answer with loopback without asking DNS (RFC 6761). */
export function isLocalhostName(host: string): boolean {
  const bare = bareHost(host);
  return bare === 'localhost' || bare.endsWith('.localhost');
}

/** 127.0.0.0/8, ::1 (or ::ffff:127.x), or a localhost name. */
export function isLoopbackHost(host: string): boolean {
  return isLocalhostName(host) || parseIp(host)?.range() === 'loopback';
}

/** An address as the host part of a URL: IPv6 in brackets, IPv4-mapped IPv6 as plain IPv4. */
export function urlHost(address: string): string {
  const ip = parseIp(address);
  if (!ip) return address;
  return ip.kind() === 'ipv6' ? `[${ip.toString()}]` : ip.toString();
}
