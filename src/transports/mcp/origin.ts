import ipaddr from 'ipaddr.js';

/** Where browser pages may call /mcp from, besides pages without an Origin (every non-browser client). */
export interface OriginPolicy {
  /** ARGYBARGY_CORS_ORIGINS: exact origins, or '*' for any. */
  corsOrigins: readonly string[];
  /** The bridge's saved public URL (a tunnel), whose pages may call it; null when none. */
  publicUrl: string | null;
  /** The Host header the request came with: a page served by this bridge at an IP address is its own origin. */
  host?: string;
}

/**
 * Whether a request with this `Origin` header may use /mcp. MCP's Streamable HTTP
 * transport (2025-06-18 §Security) has servers validate Origin, so a web page the
 * operator never allowed — including one reached through DNS rebinding, whose
 * Host header is the attacker's name — cannot talk to a local bridge. Allowed: no
 * Origin, an origin listed in ARGYBARGY_CORS_ORIGINS (or '*'), the public URL's
 * origin, pages on this machine (loopback hosts), and the bridge's own origin when
 * it is reached at an IP address (a rebinding attack needs a name, never an address).
 */
export function originAllowed(origin: string | undefined, policy: OriginPolicy): boolean {
  if (origin === undefined) return true;
  if (policy.corsOrigins.includes('*') || policy.corsOrigins.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (policy.publicUrl !== null && safeOrigin(policy.publicUrl) === url.origin) return true;
  if (policy.host !== undefined && url.host === policy.host.toLowerCase() && isIpLiteral(url.hostname)) return true;
  return isLoopbackHost(url.hostname);
}

function safeOrigin(u: string): string | null {
  try {
    return new URL(u).origin;
  } catch {
    return null;
  }
}

/** A URL hostname that is an IP address (IPv6 in brackets), in the canonical form URL gives it. */
function isIpLiteral(hostname: string): boolean {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (bare.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(bare));
}

/** localhost, 127.0.0.0/8 or ::1 (a URL hostname; IPv6 in brackets). */
function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (!ipaddr.isValid(bare)) return false;
  const addr = ipaddr.process(bare);
  return addr.range() === 'loopback';
}
