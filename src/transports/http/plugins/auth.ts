import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../../errors.js';
import type { Bridge } from '../../../services/bridge.js';
import type { Agent } from '../../../services/context.js';
import type { Operator } from '../../../services/operator.js';

declare module 'fastify' {
  interface FastifyRequest {
    agent: Agent | null;
  }
}

/**
 * Requests each agent has in flight on this server, counted until the answer has
 * left the socket (a client that stops reading holds its place), so no agent can
 * pile up more than `cap` answers in memory (ARGYBARGY_MAX_PARKED_PER_AGENT; 0 = no cap).
 */
export class AgentGate {
  private readonly open = new Map<string, number>();

  constructor(private readonly cap: number) {}

  /** Admits one more request of `agent` (throws 429 too_many_waits over the cap) and releases it once `res` is sent. */
  admit(agent: Agent, res: ServerResponse): void {
    if (this.cap === 0) return;
    const key = `${agent.room}\u0000${agent.name}`;
    const n = this.open.get(key) ?? 0;
    if (n >= this.cap) throw errors.tooManyWaits(this.cap);
    this.open.set(key, n + 1);
    whenSent(res, () => {
      const left = (this.open.get(key) ?? 1) - 1;
      if (left > 0) this.open.set(key, left);
      else this.open.delete(key);
    });
  }
}

/** Calls `done` once: when `res` is finished and its socket has flushed it, or when the connection closes. */
function whenSent(res: ServerResponse, done: () => void): void {
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    done();
  };
  res.once('close', once);
  res.once('finish', () => {
    const socket = res.socket;
    if (!socket || socket.destroyed || socket.writableLength === 0) return once();
    socket.once('drain', once);
    socket.once('close', once);
  });
}

/**
 * An onRequest hook that resolves the agent code (401 otherwise), marks the agent
 * present and admits the request under the agent's cap (429 over it). With
 * `ticket`, a single-use stream ticket in `?ticket=` stands in for a missing header.
 */
export function requireAgent(deps: { bridge: Bridge; gate: AgentGate }, opts: { ticket?: boolean } = {}) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    // The route's pattern, never the raw URL: a query string may carry what the audit must not hold.
    const path = req.routeOptions.url ?? req.url.split('?')[0];
    // A route that takes tickets reads one from ?ticket= when no header came (a browser's EventSource).
    const ticket = opts.ticket && !req.headers.authorization ? (req.query as { ticket?: unknown }).ticket : undefined;
    const agent =
      typeof ticket === 'string'
        ? await deps.bridge.authenticateTicket(ticket, req.ip, path)
        : await deps.bridge.authenticate(req.headers.authorization, req.ip, path);
    deps.gate.admit(agent, reply.raw);
    req.agent = agent;
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
    await operator.authenticate(Array.isArray(h) ? h[0] : h, {
      ip: req.ip,
      path: req.routeOptions.url ?? req.url.split('?')[0],
    });
  };
}
