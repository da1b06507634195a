import ipaddr from 'ipaddr.js';

/**
 * True when `address` (an IPv4 or IPv6 literal) is ordinary public unicast: not
 * loopback, private, link-local (cloud metadata lives at 169.254.169.254), carrier
 * NAT, unique-local, multicast, reserved or unspecified, and not an IPv6 form that
 * embeds an IPv4 address (mapped, NAT64, 6to4, Teredo). ipaddr.js names the ranges
 * (IANA special-purpose registries); only its `unicast` passes. False for anything
 * that is not an address at all.
 */
export function isPublicAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(bare)) return false;
  return ipaddr.process(bare).range() === 'unicast';
}
