import { shapeProblem } from '../wire/check.js';
import { Whoami } from '../wire/messages.js';
import { RestClient } from './rest.js';
import { serveChannel } from './server.js';
import { channelDir, StateFile, stateKey } from './state.js';

export interface RunChannelOptions {
  url: string;
  code: string;
  env: Record<string, string | undefined>;
  version: string;
  graceMs: number;
  /** One line for stderr; the code is never in it. */
  log: (line: string) => void;
}

/** Who the code belongs to, if the bridge says so within a few seconds (for the instructions); null otherwise. */
async function whoami(rest: RestClient): Promise<Whoami | null> {
  try {
    const r = await rest.request<Whoami>('GET', '/whoami', { timeoutMs: 3000 });
    return r.status === 200 && shapeProblem(Whoami, r.body) === null ? r.body : null;
  } catch {
    return null;
  }
}

/**
 * `argybargy channel`: a stdio MCP server that pushes the agent's room into a
 * running Claude Code session. Resolves with the exit code once the client hangs up
 * or the process is told to stop.
 */
export async function runChannel(o: RunChannelOptions): Promise<number> {
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  const rest = new RestClient(o.url, o.code);
  const me = await whoami(rest);
  const meta: Record<string, string> = { url: o.url };
  if (me) Object.assign(meta, { name: me.name, room: me.room });
  const state = new StateFile(channelDir(o.env), stateKey(o.url, o.code), meta);
  o.log(
    me
      ? `${me.name} in room ${me.room} at ${o.url}; cursor ${state.load().cursor} (${state.path})`
      : `the bridge at ${o.url} did not confirm the code yet; cursor ${state.load().cursor} (${state.path})`,
  );
  return serveChannel({ rest, state, me, version: o.version, graceMs: o.graceMs, log: o.log, stopRequested });
}
