import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { Agent } from 'undici';
import { isPublicAddress } from '../domain/addresses.js';
import { InvalidInput } from '../domain/errors.js';

/** How long one call may take in all: connect, send, and the reply's status and headers (ms). */
export const OUTBOUND_TIMEOUT_MS = 5000;
/** The most reply header bytes read. */
export const REPLY_HEADER_BYTES = 16 * 1024;
/** The most reply body bytes read; the rest is never read (the connection is closed instead). */
export const REPLY_BODY_BYTES = 1024;

/** A destination the bridge refuses to call (a private, loopback or otherwise special address). */
export class RefusedAddress extends Error {
  constructor(host: string) {
    super(
      `${host.slice(0, 100)} is or resolves to a private, loopback or special address; the bridge does not call those.`,
    );
    this.name = 'RefusedAddress';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Outbound HTTP for calls to addresses agents chose (webhooks). Every connection is
 * checked on the address it actually connects to, after DNS (so a name that later
 * resolves elsewhere — DNS rebinding — is caught): unless private addresses are
 * allowed, only public unicast is reached. Redirects are not followed, at most
 * REPLY_HEADER_BYTES of the reply's headers and REPLY_BODY_BYTES of its body are
 * read (only the status matters), and every call ends within OUTBOUND_TIMEOUT_MS.
 */
export class Outbound {
  /** The HTTP client, made on first use: the driver loads only when a webhook is first called. */
  private client: Promise<{ agent: Agent; request: typeof import('undici').request }> | null = null;

  constructor(private readonly allowPrivate: boolean) {}

  private connection() {
    this.client ??= import('undici').then((mod) => {
      // Bundled, the CommonJS module may arrive as the namespace's default.
      const { Agent, request } = 'Agent' in mod ? mod : (mod as unknown as { default: typeof mod }).default;
      const allowPrivate = this.allowPrivate;
      const guarded = (hostname: string, options: { all?: boolean }, cb: LookupCallback) => {
        dnsLookup(hostname, { all: true }, (err, addresses) => {
          if (err) return cb(err, '');
          const bad = allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
          if (bad) return cb(new RefusedAddress(hostname) as NodeJS.ErrnoException, '');
          if (options.all) return cb(null, addresses);
          cb(null, addresses[0].address, addresses[0].family);
        });
      };
      const agent = new Agent({
        connect: { lookup: guarded as never, timeout: OUTBOUND_TIMEOUT_MS },
        headersTimeout: OUTBOUND_TIMEOUT_MS,
        bodyTimeout: OUTBOUND_TIMEOUT_MS,
        maxHeaderSize: REPLY_HEADER_BYTES,
        connections: 4,
      });
      return { agent, request };
    });
    return this.client;
  }

  /**
   * Checks a URL agents give before it is stored: http(s), no credentials, at most
   * 2,000 characters, and (unless private addresses are allowed) a host that is or
   * resolves only to public addresses. Throws InvalidInput (field `url`).
   */
  async check(raw: string): Promise<string> {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new InvalidInput('url', 'url must be an absolute http:// or https:// URL.');
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InvalidInput('url', 'url must use http or https.');
    if (u.username || u.password) throw new InvalidInput('url', 'url must not carry a username or password.');
    if (raw.length > 2000) throw new InvalidInput('url', 'url is longer than 2000 characters.');
    if (this.allowPrivate) return u.href;
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [host] : await resolveAll(host);
    if (addresses.length === 0) throw new InvalidInput('url', `url's host ${host.slice(0, 100)} does not resolve.`);
    if (addresses.some((a) => !isPublicAddress(a))) {
      // The resolved address is not named: that would let agents map internal names.
      throw new InvalidInput(
        'url',
        `url's host ${host.slice(0, 100)} is or resolves to a private, loopback or special address; webhooks must reach a public address (the operator can allow private ones with ARGYBARGY_WEBHOOK_PRIVATE=1).`,
      );
    }
    return u.href;
  }

  /**
   * POSTs `body` to `url` and answers the reply's status. Throws on a refused
   * address, a network error or the timeout. At most REPLY_BODY_BYTES of the reply's
   * body are read and thrown away.
   */
  async post(url: string, headers: Record<string, string>, body: string): Promise<number> {
    const u = new URL(url);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    // A literal address is connected to without a lookup, so it is checked here.
    if (isIP(host) && !this.allowPrivate && !isPublicAddress(host)) throw new RefusedAddress(host);
    const { agent, request } = await this.connection();
    const res = await request(u, {
      method: 'POST',
      headers,
      body,
      dispatcher: agent,
      signal: AbortSignal.timeout(OUTBOUND_TIMEOUT_MS),
    });
    await res.body.dump({ limit: REPLY_BODY_BYTES }).catch(() => undefined);
    return res.statusCode;
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    const client = await this.client?.catch(() => null);
    await client?.agent.destroy().catch(() => undefined);
  }
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve) => {
    dnsLookup(host, { all: true }, (err, addresses) => resolve(err ? [] : addresses.map((a) => a.address)));
  });
}
