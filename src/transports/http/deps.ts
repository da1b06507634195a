import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Metrics } from '../../metrics.js';
import type { Bridge } from '../../services/bridge.js';
import type { Delivery } from '../../services/delivery.js';
import type { Operator } from '../../services/operator.js';
import type { WebhookNotifier } from '../../services/webhooks.js';
import type { AgentGate } from './plugins/auth.js';

/** What the HTTP layer is built from: the services, and the settings the routes show. */
export interface AppDeps {
  config: Config;
  version: string;
  /** A random id of this start (GET /health answers it; bridge.json records it). */
  instance: string;
  /** The public URL saved by a tunnel, or null. */
  publicUrl: () => string | null;
  bridge: Bridge;
  operator: Operator;
  delivery: Delivery;
  webhooks: WebhookNotifier;
  /** A pino logger's options or `false`; defaults to the configured level on stdout. */
  logger?: boolean | Record<string, unknown>;
  /** Prometheus metrics; without them /metrics is absent. */
  metrics?: Metrics;
}

/** One endpoint as the agent guide (GET /) lists it, taken from its route's schema. */
export interface GuideEntry {
  method: string;
  path: string;
  auth: boolean;
  desc: string;
  body?: Record<string, string>;
}

/** What every route plugin receives. */
export interface RouteDeps extends AppDeps {
  /** Requests in flight per agent on this server (requireAgent admits through it). */
  gate: AgentGate;
  /** The base URL agents should use: the tunnel's public URL, else what the request came in on. */
  baseUrl(req: FastifyRequest): string;
  /** The agent-facing endpoints, collected from the routes as they are registered. */
  guide: readonly GuideEntry[];
}
