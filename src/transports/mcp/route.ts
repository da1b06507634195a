import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDeps } from '../http/deps.js';
import { agentOf, requireAgent } from '../http/plugins/auth.js';

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
    const onRequest = requireAgent(deps.bridge);

    const schema = {
      tags: ['agent'],
      security: [{ agentCode: [] }],
      summary: 'The same room as a Model Context Protocol server (Streamable HTTP).',
      description:
        'The same room as a Model Context Protocol server (Streamable HTTP): tools whoami, peers, history, send, wait_for_messages, claim, and a house_rules prompt.',
    };
    app.post('/mcp', { onRequest, schema }, async (req: FastifyRequest, reply: FastifyReply) => {
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
        schema: { hide: true },
        handler: async (_req, reply) => {
          reply.hijack();
          rpcError(reply, 405, 'This MCP endpoint is stateless: send JSON-RPC requests with POST.');
        },
      });
    }
  };
}
