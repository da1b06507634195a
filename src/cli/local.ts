import { openServices } from '../app/compose.js';
import { dataPaths, readPublicUrl } from '../app/data-dir.js';
import { type Config, ConfigError, loadConfig } from '../config.js';
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

/** The local bridge's own address from host and port (a wildcard bind is reached on 127.0.0.1). */
export function bindUrl(config: Config): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

/** The URL agents should use for the local bridge: the tunnel's, else host and port. */
export function localBaseUrl(config: Config): string {
  return readPublicUrl(dataPaths(config.dataDir)) ?? bindUrl(config);
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
