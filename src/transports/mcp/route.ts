import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuthInfo, McpHttpHandler, ServerEvent, ServerEventBus } from '@modelcontextprotocol/server';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import { requestKey } from '../../domain/handout.js';
import { type ApiError, errors } from '../../errors.js';
import type { RouteDeps } from '../http/deps.js';
import { agentOf, requireAgent } from '../http/plugins/auth.js';
import { bodyLimitFor, closeUnlessRead, fromFastify } from '../http/plugins/errors.js';
import { originAllowed } from './origin.js';
import type { McpCall } from './server.js';

/**
 * A refusal as a JSON-RPC error response: the catalog's `{error, detail}` in `data`,
 * the HTTP status unchanged. Codes: -32600 (invalid request) for a 400, -32000 for
 * anything else (JSON-RPC 2.0 §5.1 leaves -32000..-32099 to servers).
 */
export function rpcErrorBody(e: ApiError) {
  const code = e.status === 400 ? -32600 : -32000;
  return { jsonrpc: '2.0' as const, error: { code, message: e.detail, data: e.body() }, id: null };
}

/** What a client that speaks only the retired HTTP+SSE transport (2024-11-05) is told. */
function sseTransportPointer(url: string): string {
  return `This bridge speaks MCP over Streamable HTTP (2025-03-26 and later): send JSON-RPC with POST to ${url}/mcp, with the header Authorization: Bearer <your code>. A GET of /mcp opens the 2025 notice stream and needs an MCP-Protocol-Version header (2025-03-26 to 2025-11-25). The older HTTP+SSE transport is not served (in mcp-remote, use --transport http-only).`;
}

/** The 2025-era revisions whose clients may open the GET notice stream. */
const STREAM_VERSIONS = new Set(['2025-03-26', '2025-06-18', '2025-11-25']);

/** The resources a client may read or subscribe to. */
const RESOURCES = new Set(['argybargy://inbox', 'argybargy://house-rules']);

/** The longest request id a cancel may name (ids are counters or short strings). */
const MAX_ID_CHARS = 128;

/**
 * The client's session id (2025 era): the bridge hands one out with each
 * initialize answer and keeps nothing; it only tells the request ids of two clients
 * of one agent apart. Empty when absent or not a plausible id (visible ASCII, at
 * most 128 characters).
 */
function sessionOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && /^[\x21-\x7e]{1,128}$/.test(header) ? header : '';
}

/** A request id as JSON-RPC allows it (a string or an integer), short enough to keep; null otherwise. */
function requestIdOf(id: unknown): string | number | null {
  if (typeof id === 'string') return id.length <= MAX_ID_CHARS ? id : null;
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : null;
}

/** The first resource URI the request names that the bridge does not have, or null. */
function unknownResource(body: Envelope): string | null {
  const p = body.params as { uri?: unknown; notifications?: { resourceSubscriptions?: unknown } } | undefined;
  let uris: unknown[] = [];
  if (body.method === 'resources/subscribe' || body.method === 'resources/unsubscribe') uris = [p?.uri];
  else if (body.method === 'subscriptions/listen') {
    const subs = p?.notifications?.resourceSubscriptions;
    uris = Array.isArray(subs) ? subs : [];
  } else return null;
  const bad = uris.find((u) => typeof u !== 'string' || !RESOURCES.has(u));
  return bad === undefined ? null : String(bad).slice(0, 100);
}

/** The JSON-RPC request this POST carries, as far as routing needs it. */
interface Envelope {
  method?: unknown;
  id?: unknown;
  params?: { name?: unknown; requestId?: unknown };
}

/** The id of a tools/call of wait_for_messages, whose answer must not be lost. */
function waitCallId(body: Envelope): string | number | undefined {
  if (body.method !== 'tools/call' || body.params?.name !== 'wait_for_messages') return undefined;
  return typeof body.id === 'string' || typeof body.id === 'number' ? body.id : undefined;
}

/** The SDK's serving pieces, loaded on first use (start-up and idle memory stay small without MCP traffic). */
type Sdk = typeof import('@modelcontextprotocol/server') & typeof import('./server.js');

/**
 * /mcp: the Model Context Protocol over Streamable HTTP, in both eras and stateless
 * in both (any node answers any request): 2026-07-28 through the SDK's per-request
 * handler, and 2025-11-25 (the handshake clients fall back to) through a fresh
 * server and transport per request. Authenticated by the agent's own code.
 * Cancellation follows each era: a closed response stream, or
 * notifications/cancelled naming the request (handled here, on whichever node it
 * lands). A legacy GET opens a stream of inbox notices.
 */
export function mcpRoutes(deps: RouteDeps) {
  return async (app: FastifyInstance) => {
    const bodyLimit = bodyLimitFor(deps.config.maxText);
    const policy = () => ({ corsOrigins: deps.config.corsOrigins, publicUrl: deps.publicUrl() });
    // The Origin check comes first: a page the operator never allowed learns nothing, not even whether a code is valid.
    const checkOrigin = async (req: FastifyRequest) => {
      if (!originAllowed(req.headers.origin, { ...policy(), host: req.headers.host })) {
        throw errors.forbidden(
          'This page may not use the bridge (its Origin is not allowed). The operator lists allowed origins in ARGYBARGY_CORS_ORIGINS.',
        );
      }
    };
    const onRequest = [checkOrigin, requireAgent(deps)];
    // What /mcp refuses past sign-in — a body that is not JSON or not valid Unicode,
    // one too large or too deep — is a JSON-RPC error, so MCP clients can read it. A
    // failed sign-in keeps the bridge's flat {error, detail}, as on every endpoint
    // (MCP clients act on its status, like OAuth-protected servers' bodies).
    const errorHandler = (err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) => {
      const e = fromFastify(err, bodyLimit);
      closeUnlessRead(req, reply);
      if (e.status >= 500) req.log.error({ err }, 'mcp request failed');
      const signIn = e.code === 'unauthorized' || e.code === 'auth_throttled';
      return reply
        .code(e.status)
        .headers(e.headers)
        .send(signIn ? e.body() : rpcErrorBody(e));
    };

    let sdk: Promise<Sdk> | null = null;
    const loadSdk = (): Promise<Sdk> =>
      (sdk ??= Promise.all([import('@modelcontextprotocol/server'), import('./server.js')]).then(([a, b]) => ({
        ...a,
        ...b,
      })));
    let modern: McpHttpHandler | null = null;
    const factory = (s: Sdk) => (ctx: { era: 'legacy' | 'modern'; authInfo?: AuthInfo }) =>
      s.buildMcpServer(deps, callOf(ctx.authInfo), ctx.era);

    const schema = {
      tags: ['agent'],
      security: [{ agentCode: [] }],
      summary: 'The same room as a Model Context Protocol server (Streamable HTTP, 2026-07-28 and 2025-11-25).',
      description:
        'The same room as a Model Context Protocol server (Streamable HTTP, stateless; protocol 2026-07-28 and 2025-11-25): tools whoami, peers, history, send, wait_for_messages, claim; a house_rules prompt; an inbox resource that announces each new message (subscriptions/listen, or resources/subscribe with a GET stream).',
    };

    app.post('/mcp', { onRequest, schema, errorHandler }, async (req: FastifyRequest, reply: FastifyReply) => {
      if (Array.isArray(req.body)) {
        // MCP dropped JSON-RPC batches (2025-06-18); one request could otherwise ask for many answers.
        throw errors.badRequest('JSON-RPC batches are not part of MCP: send one request per POST.');
      }
      if (!acceptsJson(req.headers.accept)) {
        throw errors.notAcceptable('This endpoint answers application/json (and text/event-stream for streams).');
      }
      const body = (req.body ?? {}) as Envelope;
      const agent = agentOf(req);
      const session = sessionOf(req.headers['mcp-session-id']);
      if (body.method === 'notifications/cancelled') {
        // 2025-era cancellation arrives as a request of its own, maybe at another node.
        const id = requestIdOf(body.params?.requestId);
        if (id === null) {
          throw errors.badRequest(
            `notifications/cancelled names its request in params.requestId: a string of at most ${MAX_ID_CHARS} characters or an integer.`,
          );
        }
        await deps.delivery.cancel(agent, requestKey(id, session));
        reply.hijack();
        writeHead(reply, 202);
        reply.raw.end();
        return;
      }
      const unknown = unknownResource(body);
      if (unknown !== null) {
        reply.hijack();
        writeHead(reply, 400, { 'content-type': 'application/json' });
        const message = `There is no resource ${unknown} here: the resources are ${[...RESOURCES].join(' and ')}.`;
        const id = requestIdOf(body.id);
        reply.raw.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32602, message } }));
        return;
      }
      const s = await loadSdk();
      reply.hijack();
      const res = reply.raw;
      const gone = new AbortController();
      const legacy = await s.isLegacyRequest(webRequest(req, gone.signal), body);
      // 2025: the id within the client's session, which a cancel names; 2026: this
      // request alone (closing it is the cancel, so no other request shares the key).
      const waitId = waitCallId(body);
      const key = legacy && waitId !== undefined ? requestKey(waitId, session) : `u:${randomUUID()}`;
      res.once('close', () => {
        if (res.writableFinished) return;
        gone.abort();
        // The answer never got out: whatever it handed out goes out again.
        if (waitId !== undefined) {
          deps.delivery.cancel(agent, key).catch((err) => req.log.warn({ err }, 'mcp cancel failed'));
        }
      });
      const call: McpCall = { agent, requestKey: key, gone: gone.signal };
      const authInfo: AuthInfo = { token: agent.codeHash, clientId: agent.name, scopes: [], extra: { call } };
      // Ends the exchange from the bridge's side (a listen stream whose agent must leave, or shutdown).
      const finish = new AbortController();
      const web = webRequest(req, AbortSignal.any([gone.signal, finish.signal]));
      try {
        let answer: Response;
        if (body.method === 'subscriptions/listen') {
          // Each listen stream gets a bus of its own, fed by the agent's inbox.
          const listen = s.createMcpHandler(factory(s), {
            legacy: 'reject',
            bus: inboxBus(deps, call, s.INBOX_URI, req, () => finish.abort()),
          });
          answer = await listen.fetch(web, { parsedBody: body, authInfo });
        } else if (legacy) {
          // Wired here rather than through the handler's own legacy fallback, which
          // answers every 2025 request with an event stream: clients that accept only
          // JSON get JSON.
          const server = factory(s)({ era: 'legacy', authInfo });
          const transport = new s.WebStandardStreamableHTTPServerTransport({
            sessionIdGenerator: undefined,
            enableJsonResponse: true,
          });
          res.once('close', () => void server.close());
          await server.connect(transport);
          answer = await transport.handleRequest(web, { parsedBody: body, authInfo });
          if (body.method === 'initialize' && answer.ok) {
            // A session id the bridge keeps nothing for: clients send it back, so the
            // request ids of two clients of one agent stay apart (see sessionOf).
            answer.headers.set('mcp-session-id', randomBytes(16).toString('base64url'));
          }
        } else {
          modern ??= s.createMcpHandler(factory(s), { legacy: 'reject' });
          answer = await modern.fetch(web, { parsedBody: body, authInfo });
        }
        await sendResponse(reply, answer);
      } catch (e) {
        if (gone.signal.aborted || finish.signal.aborted) {
          res.end();
          return;
        }
        req.log.error({ err: e }, 'mcp request failed');
        if (!res.headersSent) {
          writeHead(reply, 500, { 'content-type': 'application/json' });
          res.end(JSON.stringify(rpcErrorBody(errors.internal())));
        } else res.destroy();
      }
    });

    // 2025-era clients may open a GET stream for what the server sends unasked: here,
    // a notice of the inbox resource for each new message the agent may see.
    app.get('/mcp', { onRequest, errorHandler, schema: { hide: true } }, async (req, reply) => {
      const version = req.headers['mcp-protocol-version'];
      if (typeof version !== 'string' || !STREAM_VERSIONS.has(version)) {
        throw errors.wrongMethod(sseTransportPointer(deps.baseUrl(req)), 'POST');
      }
      if (!acceptsEventStream(req.headers.accept)) {
        throw errors.notAcceptable('The GET stream of /mcp is text/event-stream: send Accept: text/event-stream.');
      }
      const { INBOX_URI } = await loadSdk();
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      // Opened before the stream starts, so a refusal (too many waits, a revoked code) is a plain 4xx.
      const notices = await deps.delivery.follow(agentOf(req), gone.signal);
      reply.hijack();
      writeHead(reply, 200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform' });
      const res = reply.raw;
      // The client learns at once that the stream is open, not with the first notice.
      res.flushHeaders();
      const heartbeat = setInterval(() => res.write(': keepalive\n\n'), 15_000);
      try {
        for await (const batch of notices) {
          for (const m of batch.messages) {
            const notice = {
              jsonrpc: '2.0',
              method: 'notifications/resources/updated',
              params: noticeParams(INBOX_URI, m),
            };
            res.write(`event: message\ndata: ${JSON.stringify(notice)}\n\n`);
          }
        }
      } catch (e) {
        // A revoked code or a lost store ends the stream; the client reconnects and is told why.
        req.log.debug({ err: e }, 'mcp notice stream ended');
      } finally {
        clearInterval(heartbeat);
        res.end();
      }
    });

    // Stateless: no sessions to end.
    app.delete('/mcp', { onRequest, errorHandler, schema: { hide: true } }, async () => {
      throw errors.wrongMethod('This MCP endpoint is stateless: there is no session to end.', 'POST, GET');
    });

    // Where clients of the retired HTTP+SSE transport look first.
    app.get('/sse', { schema: { hide: true } }, async (req) => {
      throw errors.notFound(sseTransportPointer(deps.baseUrl(req)));
    });
  };
}

/** The McpCall the route put into the request's auth info. */
function callOf(authInfo: AuthInfo | undefined): McpCall {
  const call = authInfo?.extra?.call as McpCall | undefined;
  if (!call) throw new Error('MCP server built without its call');
  return call;
}

/** The params of one inbox notice: the resource, and which message it announces. */
function noticeParams(uri: string, m: { seq: number; from: string; to: string }) {
  return { uri, _meta: { 'argybargy/seq': m.seq, 'argybargy/from': m.from, 'argybargy/to': m.to } };
}

/**
 * A listen stream's event bus: while the SDK holds a subscription, the agent's
 * inbox is followed and each new visible message becomes one `resource_updated`.
 * `end` is called when following ends on the bridge's side (the agent must leave,
 * its code was revoked, or the bridge shuts down), so the stream ends too.
 */
function inboxBus(deps: RouteDeps, call: McpCall, uri: string, req: FastifyRequest, end: () => void): ServerEventBus {
  return {
    publish() {},
    subscribe(listener: (e: ServerEvent) => void) {
      const stop = new AbortController();
      const signal = AbortSignal.any([stop.signal, call.gone]);
      (async () => {
        for await (const batch of await deps.delivery.follow(call.agent, signal)) {
          for (const m of batch.messages) listener({ kind: 'resource_updated', uri, params: noticeParams(uri, m) });
        }
      })()
        .catch((err) => req.log.debug({ err }, 'mcp listen ended'))
        .finally(() => {
          if (!stop.signal.aborted) end();
        });
      return () => stop.abort();
    },
  };
}

/** True when an Accept header allows JSON (absent, `*\/*`, `application/*` and `application/json` all do). */
function acceptsJson(accept: string | undefined): boolean {
  // An empty header says as little as none.
  const header = accept?.trim() ? accept : undefined;
  return new Negotiator({ headers: { accept: header } }).mediaType(['application/json']) !== undefined;
}

function acceptsEventStream(accept: string | undefined): boolean {
  return new Negotiator({ headers: { accept } }).mediaType(['text/event-stream']) !== undefined;
}

/**
 * The request as the SDK reads it: the body is passed parsed, and Accept and
 * Content-Type say what the route already checked (any Accept that allows JSON;
 * a body that parsed as JSON), so the SDK's stricter checks never refuse them.
 */
function webRequest(req: FastifyRequest, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || k === 'content-length' || k === 'transfer-encoding') continue;
    headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  headers.set('accept', 'application/json, text/event-stream');
  headers.set('content-type', 'application/json');
  return new Request(`http://localhost${req.url}`, { method: 'POST', headers, signal });
}

/** Writes the status and headers, with whatever Fastify's plugins set (CORS) on the hijacked answer too. */
function writeHead(reply: FastifyReply, status: number, headers: Record<string, string> = {}): void {
  reply.raw.writeHead(status, { ...(reply.getHeaders() as Record<string, string>), ...headers });
}

/** Streams the SDK's answer to the client; a client that goes away ends it (and the SDK's side with it). */
async function sendResponse(reply: FastifyReply, answer: Response): Promise<void> {
  writeHead(reply, answer.status, Object.fromEntries(answer.headers));
  if (!answer.body) {
    reply.raw.end();
    return;
  }
  await pipeline(Readable.fromWeb(answer.body as import('node:stream/web').ReadableStream), reply.raw).catch(() => {});
}
