import ipaddr from 'ipaddr.js';

/**
 * True when `address` (an IPv4 or IPv6 literal) is ordinary public unicast: not
 * loopback, private, link-local (cloud metadata lives at 169.254.169.254), carrier
 * NAT, unique-local, multicast, reserved or unspecified, and not an IPv6 form that
 * embeds an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo). ipaddr.js names the ranges
 * (IANA special-purpose registries); only its `unicast` passes. False for anything
 * that is not an address at all.
 */
export function isPublicAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(bare)) return false;
  // ::a.b.c.d, the deprecated IPv4-compatible form (RFC 4291 §2.5.5.1), embeds an IPv4 address too.
  if (
    ipaddr.IPv6.isValid(bare) &&
    ipaddr.IPv6.parse(bare)
      .parts.slice(0, 6)
      .every((p) => p === 0)
  )
    return false;
  return ipaddr.process(bare).range() === 'unicast';
}

/**
 * The key a client address is counted under (failed sign-ins, requests in flight):
 * one per IPv4 address whatever its spelling (mapped into IPv6, with leading zeros,
 * with a port), and one per IPv6 /64, the block one subscriber usually holds.
 * Anything that is not an address is counted under one shared key, `unknown`.
 */
export function clientKey(address: string): string {
  let a = address.trim();
  const v4port = /^(\d[\d.]*):\d+$/.exec(a);
  const v6port = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (v4port) a = v4port[1];
  else if (v6port) a = v6port[1];
  if (!ipaddr.isValid(a)) return 'unknown';
  const ip = ipaddr.process(a);
  if (ip.kind() === 'ipv4') return ip.toString();
  const parts = (ip as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}
