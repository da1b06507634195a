import type { FastifyInstance } from 'fastify';
import { type Config, localUrl } from '../config.js';
import { buildApp } from '../transports/http/app.js';
import { findRunningBridge, newInstanceId, removeBridgeRecord, writeBridgeRecord } from './bridge-record.js';
import { type ComposeOptions, openServices, type Services } from './compose.js';
import { dataPaths } from './data-dir.js';

/** A bridge assembled from a config: services and the HTTP app, not yet listening. */
export interface AssembledBridge extends Services {
  app: FastifyInstance;
  /** The random id of this start: GET /health answers it and bridge.json records it. */
  instance: string;
  /** Marks the bridge as shutting down: answers close their connections. */
  drain(): void;
}

export interface AssembleOptions extends Pick<ComposeOptions, 'now' | 'webhookRetryMs' | 'notice'> {
  /** A pino logger's options or `false`; defaults to the configured level on stdout. */
  logger?: boolean | Record<string, unknown>;
}

/** Opens the services for `config` and builds the HTTP app on them. */
async function assemble(config: Config, opts: AssembleOptions = {}): Promise<AssembledBridge> {
  const services = await openServices(config, {
    now: opts.now,
    webhookRetryMs: opts.webhookRetryMs,
    notice: opts.notice,
    metrics: true,
    sweepLeases: true,
  });
  let app: FastifyInstance;
  const instance = newInstanceId();
  try {
    app = await buildApp({
      config,
      version: services.ctx.version,
      instance,
      publicUrl: services.ctx.publicUrl,
      bridge: services.bridge,
      operator: services.operator,
      delivery: services.delivery,
      webhooks: services.webhooks,
      metrics: services.metrics ?? undefined,
      logger: opts.logger,
    });
  } catch (e) {
    await services.close();
    throw e;
  }
  // While shutting down, connections are closed as soon as their answer is out, so
  // clients go elsewhere and the server is not left waiting on idle keep-alive sockets.
  let sweeper: NodeJS.Timeout | null = null;
  const drain = () => {
    sweeper ??= setInterval(() => app.server.closeIdleConnections(), 50);
    sweeper.unref();
  };
  app.addHook('onClose', async () => {
    if (sweeper) clearInterval(sweeper);
    await services.close();
  });
  return { ...services, app, instance, drain };
}

/** A bridge listening on a port. */
export interface RunningBridge extends AssembledBridge {
  url: string;
  port: number;
  /** Answers every parked reader, finishes in-flight requests and closes the backends. */
  close(): Promise<void>;
}

/**
 * Assembles the bridge and listens on config.host:config.port (port 0 picks a free
 * one); records where it listens in `<data>/bridge.json` for the commands run in
 * other terminals, and removes that record again in close() if it is still this
 * bridge's. A live bridge already recorded there (its instance answers) does not stop
 * this one, but `opts.notice` (else the log, at warn) hears one line naming it: from
 * now on the commands reach this bridge instead.
 */
export async function startServer(config: Config, opts: AssembleOptions = {}): Promise<RunningBridge> {
  const assembled = await assemble(config, opts);
  const { app, ctx, instance } = assembled;
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    await app.close();
    throw e;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = localUrl(config.host, port);
  const paths = dataPaths(config.dataDir);
  const say = opts.notice ?? ((line: string) => app.log.warn(line));
  const other = await findRunningBridge(paths, { timeoutMs: 1000 });
  if (other && other.instance !== instance) {
    say(
      `argybargy: another bridge (pid ${other.pid}) is running on this data directory at ${other.url}; this one at ${url} now takes over ${paths.bridge}, so commands in other terminals reach this one.`,
    );
  }
  try {
    writeBridgeRecord(paths, {
      url,
      host: config.host,
      port,
      pid: process.pid,
      started: new Date().toISOString(),
      instance,
    });
  } catch (e) {
    // Not fatal: commands elsewhere then need ARGYBARGY_PORT (or --url) to find this bridge.
    app.log.warn({ err: e }, `could not record the bridge's address in ${paths.bridge}`);
  }
  let closing: Promise<void> | null = null;
  return {
    ...assembled,
    url,
    port,
    close() {
      closing ??= (async () => {
        // First: from now on no command should pick this bridge.
        removeBridgeRecord(paths, { instance });
        assembled.drain();
        ctx.live.wakeups.shutdown();
        // Parked readers answer at once; anything still open after a few seconds is
        // cut so the process can finish.
        const force = setTimeout(() => app.server.closeAllConnections(), 5000);
        force.unref();
        await app.close();
        clearTimeout(force);
      })();
      return closing;
    },
  };
}
