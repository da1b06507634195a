import { findRunningBridge } from '../app/bridge-record.js';
import { openServices } from '../app/compose.js';
import { dataPaths, readPublicUrl } from '../app/data-dir.js';
import { type Config, ConfigError, loadConfig, localUrl } from '../config.js';
import { toApiError } from '../errors.js';
import type { Operator } from '../services/operator.js';
import { CliError, type CliIO } from './io.js';

/** Reads the configuration from the environment; a bad variable becomes a one-line CLI error. */
export function configFrom(env: Record<string, string | undefined>, overrides: Partial<Config> = {}): Config {
  try {
    return Object.freeze({ ...loadConfig(env), ...overrides });
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(`argybargy: ${e.message}`, 1);
    throw e;
  }
}

/** The local bridge's address from the configured host and port (a wildcard bind is reached on 127.0.0.1). */
export function bindUrl(config: Config): string {
  return localUrl(config.host, config.port);
}

function isSet(env: Record<string, string | undefined>, name: string): boolean {
  return (env[name]?.trim() ?? '') !== '';
}

/**
 * The URL of the bridge on this machine, the one place every command finds it:
 * ARGYBARGY_HOST and ARGYBARGY_PORT when set in `env`; for what is not set, the
 * address the running bridge recorded in its data directory (bridge.json, used only
 * while that bridge is alive and its GET /health answers the recorded instance, see
 * findRunningBridge); else the defaults (127.0.0.1:8765). A record ignored for a
 * reason worth knowing (malformed, not loopback, another server answering) is said
 * in one line to `notice`.
 */
export async function localBridgeUrl(
  config: Config,
  env: Record<string, string | undefined>,
  notice?: (line: string) => void,
): Promise<string> {
  const hostSet = isSet(env, 'ARGYBARGY_HOST');
  const portSet = isSet(env, 'ARGYBARGY_PORT');
  if (hostSet && portSet) return bindUrl(config);
  const running = await findRunningBridge(dataPaths(config.dataDir), { notice });
  if (!running) return bindUrl(config);
  if (!hostSet && !portSet) return running.url;
  return localUrl(hostSet ? config.host : running.host, portSet ? config.port : running.port);
}

/** The URL agents should use for the local bridge: the tunnel's (url.txt), else localBridgeUrl (`notice` as there). */
export async function localBaseUrl(
  config: Config,
  env: Record<string, string | undefined>,
  notice?: (line: string) => void,
): Promise<string> {
  return readPublicUrl(dataPaths(config.dataDir)) ?? (await localBridgeUrl(config, env, notice));
}

/** Prints a notice for the operator (one line) on the command's stderr. */
export function noticeTo(io: Pick<CliIO, 'stderr'>): (line: string) => void {
  return (line) => io.stderr(`${line}\n`);
}

/**
 * Runs `fn` with the operator service on the data directory itself, for commands
 * that work whether or not the bridge is running (SQLite allows both at once; with
 * Redis configured, the change reaches every dashboard). A refusal (a bad name, an
 * unknown expiry, a quota) becomes a one-line CliError, exit 2 for bad input. Opening
 * the store may adopt the original argybargy 1.0's data directory; that is said on stderr.
 */
export async function withLocalOperator<T>(
  io: Pick<CliIO, 'stderr'>,
  config: Config,
  fn: (op: Operator) => Promise<T>,
): Promise<T> {
  const services = await openServices(config, { notice: noticeTo(io) });
  try {
    return await fn(services.operator);
  } catch (e) {
    const err = toApiError(e);
    if (err.code === 'internal') throw e;
    throw new CliError(`argybargy: ${err.detail}`, err.status === 400 ? 2 : 1);
  } finally {
    await services.close();
  }
}
