import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ApiError, errors } from '../../errors.js';
import type { RouteDeps } from '../http/deps.js';
import { agentOf, requireAgent } from '../http/plugins/auth.js';
import { bodyLimitFor, closeUnlessRead, fromFastify } from '../http/plugins/errors.js';

/**
 * A refusal as a JSON-RPC error response: the catalog's `{error, detail}` in `data`,
 * the HTTP status unchanged. Codes: -32600 (invalid request) for a 400, -32000 for
 * anything else (JSON-RPC 2.0 §5.1 leaves -32000..-32099 to servers).
 */
export function rpcErrorBody(e: ApiError) {
  const code = e.status === 400 ? -32600 : -32000;
  return { jsonrpc: '2.0' as const, error: { code, message: e.detail, data: e.body() }, id: null };
}

/** A JSON-RPC error written straight to the socket (the reply is hijacked). */
function rpcError(reply: FastifyReply, status: number, message: string): void {
  reply.raw.writeHead(status, { 'content-type': 'application/json', allow: 'POST' });
  reply.raw.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/**
 * POST /mcp: the Model Context Protocol over Streamable HTTP, stateless (a fresh
 * server and transport per request, so any node can answer), authenticated by the
 * agent's own code. The SDK is loaded on first use.
 */
export function mcpRoutes(deps: RouteDeps) {
  return async (app: FastifyInstance) => {
    const onRequest = requireAgent(deps);
    const bodyLimit = bodyLimitFor(deps.config.maxText);
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

    const schema = {
      tags: ['agent'],
      security: [{ agentCode: [] }],
      summary: 'The same room as a Model Context Protocol server (Streamable HTTP).',
      description:
        'The same room as a Model Context Protocol server (Streamable HTTP): tools whoami, peers, history, send, wait_for_messages, claim, and a house_rules prompt.',
    };
    app.post('/mcp', { onRequest, schema, errorHandler }, async (req: FastifyRequest, reply: FastifyReply) => {
      if (Array.isArray(req.body)) {
        // MCP dropped JSON-RPC batches (2025-06-18); one request could otherwise ask for many answers.
        throw errors.badRequest('JSON-RPC batches are not part of MCP: send one request per POST.');
      }
      const [{ StreamableHTTPServerTransport }, { buildMcpServer }] = await Promise.all([
        import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
        import('./server.js'),
      ]);
      reply.hijack();
      const gone = new AbortController();
      const server = buildMcpServer(deps, agentOf(req), gone.signal);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      reply.raw.once('close', () => {
        if (!reply.raw.writableEnded) gone.abort();
        void transport.close();
        void server.close();
      });
      try {
        await server.connect(transport);
        await transport.handleRequest(req.raw, reply.raw, req.body);
      } catch (e) {
        req.log.error({ err: e }, 'mcp request failed');
        if (!reply.raw.headersSent) rpcError(reply, 500, 'Internal error.');
      }
    });

    // Stateless: no standalone event stream and no sessions to end.
    for (const method of ['GET', 'DELETE'] as const) {
      app.route({
        method,
        url: '/mcp',
        onRequest,
        errorHandler,
        schema: { hide: true },
        handler: async (_req, reply) => {
          reply.hijack();
          rpcError(reply, 405, 'This MCP endpoint is stateless: send JSON-RPC requests with POST.');
        },
      });
    }
  };
}
