import type { FastifyInstance } from 'fastify';
import { openAdminTokens, openLive, openStore } from './backends.js';
import { Bridge } from './bridge.js';
import type { Config } from './config.js';
import type { BridgeContext } from './context.js';
import { dataPaths, ensureDataDir, readPublicUrl } from './datadir.js';
import { buildApp } from './http/app.js';
import type { Live } from './live/live.js';
import { Metrics } from './metrics.js';
import { Operator } from './operator.js';
import { maskCode } from './secrets.js';
import { VERSION } from './version.js';

/** A bridge assembled from a config: services and the HTTP app, not yet listening. */
export interface AssembledBridge {
  ctx: BridgeContext;
  bridge: Bridge;
  operator: Operator;
  app: FastifyInstance;
  /** Marks the bridge as shutting down: answers close their connections. */
  drain(): void;
}

export interface AssembleOptions {
  logger?: boolean | Record<string, unknown>;
  now?: () => number;
}

/** Opens the store and live state for `config` and builds the app on them. */
export async function assemble(config: Config, opts: AssembleOptions = {}): Promise<AssembledBridge> {
  const paths = dataPaths(config.dataDir);
  ensureDataDir(paths.dir);
  const store = await openStore(config);
  let live: Live;
  try {
    live = await openLive(config);
  } catch (e) {
    await store.close();
    throw e;
  }
  const now = opts.now ?? Date.now;
  const metrics = new Metrics(store, live);
  const ctx: BridgeContext = {
    config,
    store,
    live,
    adminTokens: await openAdminTokens(config, store),
    publicUrl: () => readPublicUrl(paths),
    now,
    version: VERSION,
    startedAt: now(),
    telemetry: metrics,
  };
  // Hashing switched on: forget plaintext codes kept from before; they keep working by hash.
  if (config.hashCodes) await store.dropPlaintextCodes(maskCode);
  const bridge = new Bridge(ctx);
  const operator = new Operator(ctx, bridge);
  const app = await buildApp({ ctx, bridge, operator, metrics, logger: opts.logger });
  // While shutting down, connections are closed as soon as their answer is out, so
  // clients go elsewhere and the server is not left waiting on idle keep-alive sockets.
  let sweeper: NodeJS.Timeout | null = null;
  const drain = () => {
    sweeper ??= setInterval(() => app.server.closeIdleConnections(), 50);
    sweeper.unref();
  };
  app.addHook('onClose', async () => {
    if (sweeper) clearInterval(sweeper);
  });
  app.addHook('onClose', async () => {
    bridge.webhooks.stop();
    await live.close();
    await store.close();
  });
  return { ctx, bridge, operator, app, drain };
}

/** A bridge listening on a port. */
export interface RunningBridge extends AssembledBridge {
  url: string;
  port: number;
  /** Answers every parked poll, finishes in-flight requests and closes the store. */
  close(): Promise<void>;
}

/** Assembles the bridge and listens on config.host:config.port (port 0 picks a free one). */
export async function startServer(config: Config, opts: AssembleOptions = {}): Promise<RunningBridge> {
  const assembled = await assemble(config, opts);
  const { app, ctx } = assembled;
  await app.listen({ host: config.host, port: config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | null = null;
  return {
    ...assembled,
    url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        assembled.drain();
        ctx.live.shutdown();
        // Parked polls and streams answer at once; anything still open after a few
        // seconds is cut so the process can finish.
        const force = setTimeout(() => app.server.closeAllConnections(), 5000);
        force.unref();
        await app.close();
        clearTimeout(force);
      })();
      return closing;
    },
  };
}
