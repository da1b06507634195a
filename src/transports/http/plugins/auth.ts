import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Bridge } from '../../../services/bridge.js';
import type { Agent } from '../../../services/context.js';
import type { Operator } from '../../../services/operator.js';

declare module 'fastify' {
  interface FastifyRequest {
    agent: Agent | null;
  }
}

/** An onRequest hook that resolves the agent code (401 otherwise) and marks the agent present. */
export function requireAgent(bridge: Bridge) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    req.agent = await bridge.authenticate(req.headers.authorization, req.ip, req.routeOptions.url ?? req.url);
  };
}

/** The agent a route authenticated; only call after requireAgent. */
export function agentOf(req: FastifyRequest): Agent {
  if (!req.agent) throw new Error('route used agentOf without requireAgent');
  return req.agent;
}

/** An onRequest hook that checks X-Admin-Token (401 and an audit entry otherwise). */
export function requireAdmin(operator: Operator) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const h = req.headers['x-admin-token'];
    await operator.authenticate(Array.isArray(h) ? h[0] : h, { ip: req.ip, path: req.routeOptions.url ?? req.url });
  };
}
