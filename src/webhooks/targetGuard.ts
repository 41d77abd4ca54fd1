import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';

/**
 * Where outbound webhooks may not go when private targets are refused (SSRF): this host, the
 * local network, link-local (cloud metadata at 169.254.169.254), and every other range that is
 * not the public internet. IPv4-mapped and -embedding IPv6 forms are unwrapped first.
 */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some)
  ['ff00::', 8], // multicast
  ['2001:db8::', 32], // documentation
  ['100::', 64], // discard
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

/** The IPv4 address inside an IPv6 one that carries it (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIpv4(address: string): string | undefined {
  const mapped = /^(?:0{0,4}:){0,5}(?:ffff:)?(?:0{0,4}:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address) ?? /^64:ff9b::(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  const words = expandIpv6(address);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  // ::ffff:a.b.c.d written in hex (::ffff:7f00:1), and the deprecated ::a.b.c.d
  if (words.slice(0, 5).every((w) => w === 0) && (words[5] === 0xffff || words[5] === 0)) return v4(words[6], words[7]);
  if (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0)) return v4(words[6], words[7]); // NAT64
  if (words[0] === 0x2002) return v4(words[1], words[2]); // 6to4
  return undefined;
}

/** The eight 16-bit words of an IPv6 address in hex notation; undefined for other spellings. */
function expandIpv6(address: string): number[] | undefined {
  const [head, tail, ...rest] = address.split('::');
  if (rest.length > 0) return undefined;
  const parse = (part: string | undefined) => (part ? part.split(':').map((w) => parseInt(w, 16)) : []);
  const a = parse(head);
  const b = parse(tail);
  if ([...a, ...b].some((w) => !Number.isInteger(w) || w < 0 || w > 0xffff)) return undefined;
  if (tail === undefined) return a.length === 8 ? a : undefined;
  const gap = 8 - a.length - b.length;
  return gap < 1 ? undefined : [...a, ...Array<number>(gap).fill(0), ...b];
}

/** True for an address a webhook may not be sent to when private targets are refused. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return BLOCKED.check(bare, 'ipv4');
  if (family !== 6) return true; // not an address: refuse rather than guess
  const v4 = embeddedIpv4(bare);
  if (v4 !== undefined) return isIP(v4) !== 4 || BLOCKED.check(v4, 'ipv4');
  return BLOCKED.check(bare, 'ipv6');
}

export class UnsafeTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeTargetError';
  }
}

/** Why `url` cannot be a webhook target at all (whatever the private-target setting), or undefined. */
export function urlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an http or https URL';
  if (parsed.username || parsed.password) return 'must not carry a user name or password';
  if (!parsed.hostname) return 'must name a host';
  // Port 0 parses but nothing can be connected to there: every delivery would fail for 3 days.
  if (parsed.port === '0') return 'must not name port 0';
  return undefined;
}

/** The address or name in a URL's host, without IPv6 brackets. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');

/**
 * Why a host written as an address may not be a target, or undefined (a public address, or a
 * name: names are checked by what they resolve to). Literals never reach guardedLookup.
 */
export function privateLiteralProblem(host: string): string | undefined {
  return isIP(host) && isPrivateAddress(host) ? `${host} is a loopback, link-local or private address` : undefined;
}

/** The refusal for a name when ANY of its addresses is private (one is enough), or undefined. */
function privateAnswer(host: string, addresses: readonly { address: string }[]): UnsafeTargetError | undefined {
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  return bad ? new UnsafeTargetError(`${host} resolves to ${bad.address}, a loopback, link-local or private address`) : undefined;
}

export type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/**
 * Refuses a target in a private range: a literal address directly, a name by every address it
 * resolves to (one private answer is enough to refuse). A name that does not resolve (yet) is
 * let through here; every delivery resolves and checks again (guardedLookup).
 */
export async function assertPublicTarget(url: string, resolve: Resolve = systemResolve): Promise<void> {
  const host = hostOf(new URL(url));
  if (isIP(host)) {
    const problem = privateLiteralProblem(host);
    if (problem) throw new UnsafeTargetError(problem);
    return;
  }
  // A fully qualified name may end in a dot (`localhost.`) and still mean the same host.
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) throw new UnsafeTargetError(`${host} is this machine`);
  let addresses: { address: string }[];
  try {
    addresses = await resolve(host);
  } catch {
    return;
  }
  const refused = privateAnswer(host, addresses);
  if (refused) throw refused;
}

/**
 * A `lookup` for http.request that resolves the name, refuses it if ANY answer is private, and
 * hands the socket the very address it checked: the connection cannot be rebound to another
 * answer between the check and the connect (DNS rebinding).
 */
export function guardedLookup(resolve: Resolve = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const refused = privateAnswer(hostname, addresses);
        if (refused) {
          callback(refused, '', 0);
          return;
        }
        const family = typeof options === 'object' && options.family ? options.family : 0;
        const usable = addresses.filter((a) => !family || a.family === family);
        if (usable.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no usable address`), { code: 'ENOTFOUND' }), '', 0);
          return;
        }
        if (typeof options === 'object' && options.all) {
          (callback as unknown as (err: null, all: { address: string; family: number }[]) => void)(null, usable);
        } else {
          callback(null, usable[0].address, usable[0].family);
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}
