import { openAdminTokens, openLive, openStore } from '../backends.js';
import { Bridge } from '../bridge.js';
import { type Config, ConfigError, loadConfig } from '../config.js';
import type { BridgeContext } from '../context.js';
import { dataPaths, ensureDataDir, readPublicUrl } from '../datadir.js';
import { MemoryLive } from '../live/memory.js';
import { NO_TELEMETRY } from '../metrics.js';
import { Operator } from '../operator.js';
import { VERSION } from '../version.js';
import { CliError } from './io.js';

/** Reads the configuration from the environment; a bad variable becomes a one-line CLI error. */
export function configFrom(env: Record<string, string | undefined>, overrides: Partial<Config> = {}): Config {
  try {
    return Object.freeze({ ...loadConfig(env), ...overrides });
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(`argybargy: ${e.message}`, 1);
    throw e;
  }
}

/** The local bridge's own address from host and port (a wildcard bind is reached on 127.0.0.1). */
export function bindUrl(config: Config): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

/** The URL agents should use for the local bridge: the tunnel's, else host and port. */
export function localBaseUrl(config: Config): string {
  return readPublicUrl(dataPaths(config.dataDir)) ?? bindUrl(config);
}

/**
 * Runs `fn` with the operator service on the data directory itself, for commands
 * that work whether or not the bridge is running (SQLite allows both at once).
 */
export async function withLocalOperator<T>(config: Config, fn: (op: Operator) => Promise<T>): Promise<T> {
  const paths = dataPaths(config.dataDir);
  ensureDataDir(paths.dir);
  const store = await openStore(config);
  // With Redis configured the command's changes reach every dashboard; else nobody is listening.
  const live = config.redisUrl ? await openLive(config) : new MemoryLive({ rateMax: 0, rateWindowSeconds: 1 });
  const ctx: BridgeContext = {
    config,
    store,
    live,
    adminTokens: await openAdminTokens(config, store),
    publicUrl: () => readPublicUrl(paths),
    now: Date.now,
    version: VERSION,
    startedAt: Date.now(),
    telemetry: NO_TELEMETRY,
  };
  try {
    return await fn(new Operator(ctx, new Bridge(ctx)));
  } finally {
    await live.close();
    await store.close();
  }
}
