import cors from '@fastify/cors';
import { Ajv, type ValidateFunction } from 'ajv';
import fastJson from 'fast-json-stringify';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { localUrl } from '../../config.js';
import { REDACT, serializers } from '../../log.js';
import { mcpRoutes } from '../mcp/route.js';
import { streamRoutes } from '../sse.js';
import type { AppDeps, GuideEntry, RouteDeps } from './deps.js';
import { guideEntry } from './guide.js';
import { AgentGate } from './plugins/auth.js';
import { registerDocs } from './plugins/docs.js';
import { bodyLimitFor, registerErrorHandling } from './plugins/errors.js';
import { clientErrorHandler, frameworkErrors, limitConnections, serverTimeouts } from './plugins/limits.js';
import { adminRoutes } from './routes/admin.js';
import { adminWebhookRoutes } from './routes/admin-webhooks.js';
import { agentRoutes } from './routes/agent.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { discoveryRoutes } from './routes/discovery.js';
import { manifestRoutes } from './routes/manifest.js';
import { messageRoutes } from './routes/messages.js';
import { opsRoutes } from './routes/ops.js';
import { roomRoutes } from './routes/rooms.js';
import { webhookRoutes } from './routes/webhook.js';

/** Builds the Fastify app with every route; it never listens. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const bodyLimit = bodyLimitFor(config.maxText);
  const app = Fastify({
    logger: deps.logger ?? { level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' }, serializers },
    bodyLimit,
    // One logger for every request instead of a child per request: a parked poll
    // then costs a logger less, which adds up over thousands of them.
    childLoggerFactory: (logger) => logger,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 1000 },
    return503OnClosing: true,
    // Client addresses (throttling, caps, logs) come from X-Forwarded-For only through these proxies.
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    ...serverTimeouts(config),
    clientErrorHandler,
    frameworkErrors,
  });
  limitConnections(app, config);
  // Query strings and path parameters arrive as text, so they are coerced to the
  // schema's types; JSON bodies are not, so `"text": 5` is a 400, not "5".
  const coercing = new Ajv({ coerceTypes: true, useDefaults: true, strict: false });
  const strictAjv = new Ajv({ coerceTypes: false, useDefaults: true, strict: false });
  // Validators and serializers compile on first use, not at start-up: a route's
  // first request pays a few milliseconds so the bridge starts in a fraction of the time.
  app.setValidatorCompiler(({ schema, httpPart }) =>
    lazyValidator(() => (httpPart === 'body' ? strictAjv : coercing).compile(schema as object)),
  );
  app.setSerializerCompiler(({ schema }) => lazy(() => fastJson(schema as object)));
  app.decorateRequest('agent', null);
  registerErrorHandling(app, bodyLimit);
  const metrics = deps.metrics;
  if (metrics) {
    app.addHook('onResponse', async (req, reply) => {
      metrics.request(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    });
  }

  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins.includes('*') ? true : [...config.corsOrigins],
      methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
      // Everything a browser agent sends: the REST API, the stream, and both MCP eras.
      allowedHeaders: [
        'Authorization',
        'Content-Type',
        'Accept',
        'X-Admin-Token',
        'Last-Event-ID',
        'Mcp-Protocol-Version',
        'Mcp-Session-Id',
        'Mcp-Method',
        'Mcp-Name',
      ],
      exposedHeaders: ['Retry-After', 'WWW-Authenticate', 'Mcp-Protocol-Version', 'Mcp-Session-Id'],
      maxAge: 600,
    });
  }
  if (config.docs) await registerDocs(app, deps.version);

  // The agent guide (GET /) lists the agent-facing routes from their own schemas.
  const guide: GuideEntry[] = [];
  app.addHook('onRoute', (route) => {
    const entry = guideEntry(route);
    if (entry) guide.push(entry);
  });
  const routeDeps: RouteDeps = {
    ...deps,
    guide,
    gate: new AgentGate(config.maxParkedPerAgent),
    baseUrl: (req) => baseUrl(deps, req),
  };
  await app.register(manifestRoutes(routeDeps));
  await app.register(agentRoutes(routeDeps));
  await app.register(messageRoutes(routeDeps));
  await app.register(streamRoutes(routeDeps));
  await app.register(webhookRoutes(routeDeps));
  await app.register(mcpRoutes(routeDeps));
  await app.register(adminRoutes(routeDeps));
  await app.register(adminWebhookRoutes(routeDeps));
  await app.register(roomRoutes(routeDeps));
  await app.register(dashboardRoutes());
  await app.register(discoveryRoutes());
  await app.register(opsRoutes(routeDeps));
  return app;
}

/** Wraps a compiler so it runs on the first call and is cached after. */
function lazy<A extends unknown[], R>(compile: () => (...args: A) => R): (...args: A) => R {
  let fn: ((...args: A) => R) | null = null;
  return (...args: A) => {
    fn ??= compile();
    return fn(...args);
  };
}

/** Like lazy(), keeping ajv's `errors` on the wrapper where Fastify reads them. */
function lazyValidator(compile: () => ValidateFunction): (data: unknown) => boolean {
  let fn: ValidateFunction | null = null;
  const validate = (data: unknown) => {
    fn ??= compile();
    const ok = fn(data) as boolean;
    validate.errors = fn.errors;
    return ok;
  };
  validate.errors = null as ValidateFunction['errors'];
  return validate;
}

const SAFE_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

function first(h: string | string[] | undefined): string | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  return v?.split(',')[0]?.trim() || undefined;
}

/** The tunnel's public URL if one is saved, else the scheme and host the request arrived on. */
function baseUrl(deps: Pick<AppDeps, 'config' | 'publicUrl'>, req: FastifyRequest): string {
  const saved = deps.publicUrl();
  if (saved) return saved;
  const proto = first(req.headers['x-forwarded-proto']) === 'https' ? 'https' : req.protocol;
  const host = first(req.headers['x-forwarded-host']) ?? req.headers.host;
  if (host && SAFE_HOST.test(host)) return `${proto}://${host}`;
  return localUrl(deps.config.host, req.socket.localPort ?? deps.config.port);
}
