import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type * as restify from 'restify';

/**
 * Who is asking, for counting new web chat conversations per client: the address the request
 * came from, or with `trustedProxies` proxies in front (each appending the address it was reached
 * from to X-Forwarded-For), the address the outermost trusted proxy saw. Entries further left are
 * whatever the client wrote and are never believed.
 *
 * An IPv6 client counts by its /64 network (one household or device gets a whole /64, so counting
 * single addresses would not limit anyone). The key is hashed: addresses are personal data.
 */
export function clientKey(req: restify.Request, trustedProxies: number): string {
  return createHash('sha256').update(clientNetwork(req, trustedProxies)).digest('base64url').slice(0, 22);
}

export function clientNetwork(req: restify.Request, trustedProxies: number): string {
  let address = req.socket?.remoteAddress ?? 'unknown';
  if (trustedProxies > 0) {
    const forwarded = String(req.headers['x-forwarded-for'] ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    address = forwarded[Math.max(0, forwarded.length - trustedProxies)] ?? address;
  }
  return network(address);
}

/** An IPv4 address as it is, an IPv6 one as its /64, anything else as given (lower case). */
export function network(raw: string): string {
  let address = raw.trim().toLowerCase();
  // "[2001:db8::1]:443" or "203.0.113.9:443" from some proxies; IPv4-mapped IPv6 is IPv4.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  address = address.replace(/%.*$/, '');
  if (address.startsWith('::ffff:') && isIPv4(address.slice(7))) return address.slice(7);
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address.slice(0, 100);
  return `${expand(address).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address (an embedded IPv4 tail becomes two groups). */
function expand(address: string): string[] {
  const ipv4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  let text = address;
  if (ipv4Tail) {
    const [a, b, c, d] = ipv4Tail[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${address.slice(0, -ipv4Tail[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = text.includes('::') ? 8 - left.length - right.length : 0;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}
