import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A recording HTTP proxy in front of a bridge, so a test can see what an MCP client
 * that runs in another process (Claude Code) actually sent: each JSON-RPC method, the
 * protocol version it claimed and what the bridge answered. Answers are streamed
 * through as they come (a subscription stream stays open), and a client that hangs
 * up is passed on: the proxy closes its own request to the bridge.
 */

/** The protocol revision a 2026-07-28 client names in `_meta` and in the MCP-Protocol-Version header. */
export const MODERN = '2026-07-28';

/** One request through the proxy. */
export interface Exchange {
  httpMethod: string;
  path: string;
  /** The JSON-RPC method, or undefined for a body that is not one JSON-RPC message. */
  method?: string;
  id?: string | number;
  params?: any;
  /** The MCP-Protocol-Version header. */
  headerVersion?: string;
  /** `params._meta["io.modelcontextprotocol/protocolVersion"]` (2026-07-28 requests carry it). */
  metaVersion?: string;
  /** `params.protocolVersion` of an `initialize`. */
  initializeVersion?: string;
  /** Whether an Authorization header came with it (its value is never recorded). */
  authorized: boolean;
  /** The HTTP status the client got (undefined while no answer has started). */
  status?: number;
  /** The first 256 KiB of the answer. */
  response: string;
  /** Answered by the proxy itself (refuseDiscover), never reaching the bridge. */
  refusedByTap: boolean;
  /** Whether the client hung up before the answer was complete. */
  abandoned: boolean;
  /** Milliseconds since the proxy started. */
  at: number;
  endedAt?: number;
}

export interface McpTap {
  url: string;
  exchanges: Exchange[];
  /** The exchanges for one JSON-RPC method. */
  calls(method: string): Exchange[];
  /** Milliseconds since the proxy started (the clock of `at` and `endedAt`). */
  now(): number;
  close(): Promise<void>;
}

export interface McpTapOptions {
  /**
   * Answer `server/discover` the way a bridge that predates 2026-07-28 does (the v1
   * SDK's answer: 400 and "Unsupported protocol version"), so the client falls back to
   * the `initialize` handshake whatever the bridge behind speaks.
   */
  refuseDiscover?: boolean;
}

const KEEP = 256 * 1024;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te']);

/** What a 2025-era server (MCP TypeScript SDK v1) answers a 2026-07-28 `server/discover` with. */
export const LEGACY_DISCOVER_REFUSAL = {
  jsonrpc: '2.0',
  error: {
    code: -32000,
    message:
      'Bad Request: Unsupported protocol version: 2026-07-28 (supported versions: 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05, 2024-10-07)',
  },
  id: null,
};

/**
 * The JSON-RPC answer in an exchange's response, whether it came as one JSON body or
 * as Server-Sent Events (the message carrying `result` or `error`).
 */
export function rpcAnswer(ex: Exchange): { result?: any; error?: any } | undefined {
  const parse = (s: string) => {
    try {
      return JSON.parse(s);
    } catch {
      return undefined;
    }
  };
  const whole = parse(ex.response);
  if (whole && typeof whole === 'object') return whole;
  for (const line of ex.response.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    const msg = parse(line.slice(5).trim());
    if (msg && ('result' in msg || 'error' in msg)) return msg;
  }
  return undefined;
}

/** One line per exchange, e.g. `server/discover @2026-07-28 → 400`, for assertion messages. */
export function summarize(exchanges: Exchange[]): string {
  return exchanges
    .map((e) => {
      const what = e.method ?? `${e.httpMethod} (no JSON-RPC)`;
      const version = e.initializeVersion
        ? `(${e.initializeVersion})`
        : e.metaVersion
          ? ` @${e.metaVersion}`
          : e.headerVersion
            ? ` @${e.headerVersion} (header)`
            : '';
      const status = e.abandoned ? 'abandoned by the client' : (e.status ?? 'open');
      return `${what}${version} → ${status}${e.refusedByTap ? ' (refused by the tap)' : ''}`;
    })
    .join('; ');
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts the proxy on a random loopback port, forwarding to `target` (a bridge's base URL). */
export async function startMcpTap(target: string, opts: McpTapOptions = {}): Promise<McpTap> {
  const upstream = new URL(target);
  const started = performance.now();
  const now = () => Math.round(performance.now() - started);
  const exchanges: Exchange[] = [];

  const server = createServer(async (req, res) => {
    const body = await readBody(req).catch(() => Buffer.alloc(0));
    let msg: any;
    try {
      msg = JSON.parse(body.toString('utf8'));
    } catch {
      msg = undefined;
    }
    const one = msg && typeof msg === 'object' && !Array.isArray(msg) ? msg : undefined;
    const header = req.headers['mcp-protocol-version'];
    const ex: Exchange = {
      httpMethod: req.method ?? 'GET',
      path: req.url ?? '/',
      method: typeof one?.method === 'string' ? one.method : undefined,
      id: one?.id,
      params: one?.params,
      headerVersion: typeof header === 'string' ? header : undefined,
      metaVersion: one?.params?._meta?.['io.modelcontextprotocol/protocolVersion'],
      initializeVersion: one?.method === 'initialize' ? one.params?.protocolVersion : undefined,
      authorized: typeof req.headers.authorization === 'string',
      response: '',
      refusedByTap: false,
      abandoned: false,
      at: now(),
    };
    exchanges.push(ex);

    if (opts.refuseDiscover && ex.method === 'server/discover') {
      ex.refusedByTap = true;
      ex.status = 400;
      ex.response = JSON.stringify(LEGACY_DISCOVER_REFUSAL);
      ex.endedAt = now();
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(ex.response);
      return;
    }

    const headers = { ...req.headers, host: upstream.host };
    const up = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers },
      (answer) => {
        ex.status = answer.statusCode;
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
        res.writeHead(answer.statusCode ?? 502, out);
        answer.on('data', (c: Buffer) => {
          if (ex.response.length < KEEP) ex.response += c.toString('utf8');
          res.write(c);
        });
        answer.on('end', () => {
          ex.endedAt = now();
          res.end();
        });
        answer.on('error', () => res.destroy());
      },
    );
    up.on('error', () => {
      if (ex.abandoned) return;
      if (!res.headersSent) {
        ex.status = 502;
        res.writeHead(502, { 'content-type': 'application/json' });
      }
      res.end();
    });
    res.on('close', () => {
      if (res.writableEnded) return;
      ex.abandoned = true;
      ex.endedAt = now();
      up.destroy();
    });
    up.end(body);
  });

  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    calls: (method) => exchanges.filter((e) => e.method === method),
    now,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
