/**
 * Where the mock may send a vendor's requests. A registered URL is whatever a
 * token holder typed, so without this guard anyone with a persona token could
 * make the mock POST to cloud metadata services, to multicast, or to the mock's
 * own control plane (a request loop). Loopback and private addresses stay
 * allowed: that is where vendors run their PBX while they develop.
 *
 * Refused: link-local (169.254.0.0/16, fe80::/10, where cloud metadata lives),
 * metadata host names, the unspecified addresses (0.0.0.0/8, ::; connecting to
 * them reaches this machine), multicast and broadcast, and the mock's own
 * listening address and port in any spelling. WHATWG URL parsing has already
 * turned 2130706433, 0x7f000001, 0177.0.0.1 and 127.1 into 127.0.0.1; IPv4-mapped
 * IPv6 (::ffff:127.0.0.1) and NAT64 (64:ff9b::/96) are checked as the IPv4 they
 * carry. Host names are resolved and every address they resolve to is checked.
 * A host PHONEBRIDGE_WEBHOOK_ALLOW names skips every check: the operator said so.
 */
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import os from 'node:os';
import ipaddr from 'ipaddr.js';
import { bareHost, isLocalhostName, parseIp, type Ip } from '../net/addresses.js';
import { hostAllowed } from './deliver.js';

/** Where the mock listens, once it does. */
export interface Listening {
  host: string;
  port: number;
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface AddressPolicy {
  /** PHONEBRIDGE_WEBHOOK_ALLOW: hosts it names are never refused here. */
  allowHosts: readonly string[] | undefined;
  /** The mock's own address; undefined until it listens. */
  listening: () => Listening | undefined;
  /** Every address a name resolves to (default: the system resolver, as a connection would use). */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
  /** This machine's interface addresses (default: os.networkInterfaces()), for a mock listening on every interface. */
  localAddresses?: () => string[];
}

/** What the guard decided about a URL: refused with a reason, or allowed with the lookup its connection must use. */
export type AddressVerdict = { allowed: false; reason: string } | { allowed: true; lookup: LookupFunction | undefined };

/** Names that reach a cloud provider's instance metadata service instead of anything a vendor runs. */
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
  'metadata.tencentyun.com',
  'metadata.platformequinix.com',
]);

/** Metadata services outside link-local: AWS's IPv6 one (fd00:ec2::254) and Alibaba Cloud's (100.100.100.200). */
const METADATA_ADDRESSES = ['fd00:ec2::254', '100.100.100.200'].map((a) => ipaddr.parse(a).toNormalizedString());

const RANGE_REASON: Partial<Record<string, string>> = {
  linkLocal: 'a link-local address (where cloud metadata services answer)',
  unspecified: 'an unspecified address (connecting to it reaches this machine)',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
};

/** Why the mock must not connect to this address: the address (with the port, for itself) and what it is; or undefined. */
function addressRefusal(ip: Ip, port: number, self: (ip: Ip, port: number) => boolean): { address: string; what: string } | undefined {
  // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits: judge that one too.
  if (ip.kind() === 'ipv6' && ip.range() === 'rfc6052') {
    const inner = addressRefusal(ipaddr.fromByteArray(ip.toByteArray().slice(12)), port, self);
    if (inner) return { address: ip.toString(), what: `${inner.address}, ${inner.what}, through NAT64` };
  }
  const address = ip.toString();
  const what = RANGE_REASON[ip.range()];
  if (what) return { address, what };
  if (METADATA_ADDRESSES.includes(ip.toNormalizedString())) return { address, what: 'a cloud metadata service' };
  if (self(ip, port)) return { address: `${ip.kind() === 'ipv6' ? `[${address}]` : address}:${port}`, what: 'the mock itself (a request loop)' };
  return undefined;
}

const defaultResolve = (hostname: string): Promise<ResolvedAddress[]> => dns.promises.lookup(hostname, { all: true, verbatim: true });

const defaultLocalAddresses = () =>
  Object.values(os.networkInterfaces())
    .flat()
    .flatMap((info) => (info ? [info.address] : []));

const forbidden = (reason: string) => Object.assign(new Error(`not connecting: ${reason}`), { code: 'WEBHOOK_ADDRESS_FORBIDDEN' });

export function createAddressGuard({ allowHosts, listening, resolve = defaultResolve, localAddresses = defaultLocalAddresses }: AddressPolicy) {
  /** Whether ip:port is where the mock listens: its own port on loopback, on its bound address, or on any interface it binds. */
  const isSelf = (ip: Ip, port: number): boolean => {
    const own = listening();
    if (!own || own.port !== port) return false;
    if (ip.range() === 'loopback') return true;
    const bound = parseIp(own.host);
    const same = (other: Ip | undefined) => other !== undefined && other.kind() === ip.kind() && other.toNormalizedString() === ip.toNormalizedString();
    if (bound && bound.range() !== 'unspecified') return same(bound);
    // Bound to every interface (0.0.0.0, ::) or to a name: any of this machine's addresses reaches it.
    return localAddresses().some((address) => same(parseIp(address)));
  };

  /** Why the addresses a name resolved to are refused (the first one refused), or undefined when every one may be used. */
  const refusalOf = (hostname: string, addresses: readonly ResolvedAddress[], port: number): string | undefined => {
    for (const { address } of addresses) {
      const ip = parseIp(address);
      if (!ip) return `${hostname} resolves to ${address}, which is no address`;
      const refused = addressRefusal(ip, port, isSelf);
      if (refused) return `${hostname} resolves to ${refused.address}, ${refused.what}`;
    }
    return undefined;
  };

  /**
   * The lookup a connection to `port` uses: it resolves the name again and
   * checks every address before the socket connects to one of them. The first
   * check (in `check`) happens before anything is sent; this second one closes
   * the window a DNS rebinding attack would use (a name answering a harmless
   * address to the check, then 169.254.169.254 to the connection).
   */
  const guardedLookup = (port: number): LookupFunction => {
    return (hostname, options, callback) => {
      resolve(hostname).then(
        (all) => {
          const reason = refusalOf(hostname, all, port);
          if (reason) return callback(forbidden(reason), '', 0);
          const family = ({ 4: 4, 6: 6, IPv4: 4, IPv6: 6 } as Record<string, number | undefined>)[String(options.family)];
          const usable = family ? all.filter((a) => a.family === family) : all;
          const [first] = usable;
          if (!first) return callback(Object.assign(new Error(`no IPv${family} address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
          if (options.all) return callback(null, usable);
          callback(null, first.address, first.family);
        },
        (error: NodeJS.ErrnoException) => callback(error, '', 0),
      );
    };
  };

  /** Checks a URL before anything is sent (or any connection is opened). */
  const check = async (url: string): Promise<AddressVerdict> => {
    if (!URL.canParse(url)) return { allowed: false, reason: `${url} is not a URL` };
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { allowed: false, reason: `${parsed.protocol} URLs are never called` };
    if (allowHosts && hostAllowed(url, allowHosts)) return { allowed: true, lookup: undefined };
    const host = bareHost(parsed.hostname);
    const port = Number(parsed.port) || (parsed.protocol === 'https:' ? 443 : 80);
    if (METADATA_NAMES.has(host)) return { allowed: false, reason: `${host} is a cloud metadata service` };
    const ip = parseIp(host);
    if (ip) {
      const refused = addressRefusal(ip, port, isSelf);
      // A literal address is connected to as it is: no lookup happens.
      return refused ? { allowed: false, reason: `${refused.address} is ${refused.what}` } : { allowed: true, lookup: undefined };
    }
    // localhost is loopback whatever a resolver (or /etc/hosts) says.
    if (isLocalhostName(host) && isSelf(ipaddr.parse('127.0.0.1'), port))
      return { allowed: false, reason: `${host}:${port} is the mock itself (a request loop)` };
    let addresses: ResolvedAddress[];
    try {
      addresses = await resolve(host);
    } catch {
      // A name that does not resolve is the vendor's failed delivery (ENOTFOUND), as before; the connection's lookup fails the same way.
      return { allowed: true, lookup: guardedLookup(port) };
    }
    const reason = refusalOf(host, addresses, port);
    return reason ? { allowed: false, reason } : { allowed: true, lookup: guardedLookup(port) };
  };

  return { check };
}

export type AddressGuard = ReturnType<typeof createAddressGuard>;
