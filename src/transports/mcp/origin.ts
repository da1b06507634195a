import ipaddr from 'ipaddr.js';

/** Where browser pages may call /mcp from, besides pages without an Origin (every non-browser client). */
export interface OriginPolicy {
  /** ARGYBARGY_CORS_ORIGINS: exact origins, or '*' for any. */
  corsOrigins: readonly string[];
  /** The bridge's saved public URL (a tunnel), whose pages may call it; null when none. */
  publicUrl: string | null;
}

/**
 * Whether a request with this `Origin` header may use /mcp. MCP's Streamable HTTP
 * transport (2025-06-18 §Security) has servers validate Origin, so a web page the
 * operator never allowed — including one reached through DNS rebinding, whose
 * Host header is the attacker's name — cannot talk to a local bridge. Allowed: no
 * Origin, an origin listed in ARGYBARGY_CORS_ORIGINS (or '*'), the public URL's
 * origin, and pages on this machine (loopback hosts).
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
  return isLoopbackHost(url.hostname);
}

function safeOrigin(u: string): string | null {
  try {
    return new URL(u).origin;
  } catch {
    return null;
  }
}

/** localhost, 127.0.0.0/8 or ::1 (a URL hostname; IPv6 in brackets). */
function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (!ipaddr.isValid(bare)) return false;
  const addr = ipaddr.process(bare);
  return addr.range() === 'loopback';
}
