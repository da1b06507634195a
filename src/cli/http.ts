import { readFileSync } from 'node:fs';
import { dataPaths } from '../app/data-dir.js';
import type { Config } from '../config.js';
import { CliError, type CliIO } from './io.js';
import { configFrom, localBridgeUrl } from './local.js';
import { forTerminal } from './terminal.js';

/** Where an operator command sends its requests, and with which token. */
export interface AdminTarget {
  url: string;
  token: string;
  local: boolean;
  /** Where the answer will be shown (strings are made safe for a terminal). */
  io: CliIO;
}

/** Where an agent command sends its requests, with the agent's code. */
export interface AgentTarget {
  url: string;
  code: string;
  io: CliIO;
}

/**
 * The bridge an operator command talks to: `--url` with ARGYBARGY_ADMIN_TOKEN from
 * the environment, or the local bridge (localBridgeUrl) with the token from the data
 * directory.
 */
export async function adminTarget(io: CliIO, config: Config, url?: string): Promise<AdminTarget> {
  const fromEnv = io.env.ARGYBARGY_ADMIN_TOKEN?.trim();
  if (url) {
    if (!fromEnv) {
      throw new CliError(
        'argybargy: --url needs the admin token in ARGYBARGY_ADMIN_TOKEN (print it on the bridge with: argybargy token).',
      );
    }
    return { url: url.replace(/\/+$/, ''), token: fromEnv, local: false, io };
  }
  const local = await localBridgeUrl(config, io.env);
  let token = fromEnv;
  if (!token) {
    try {
      token = readFileSync(dataPaths(config.dataDir).adminToken, 'utf8').trim();
    } catch {
      throw notRunning(local);
    }
  }
  return { url: local, token, local: true, io };
}

function notRunning(url: string): CliError {
  return new CliError(
    `argybargy: no bridge is answering at ${url}. Start one with: argybargy serve (or point at one with --url).`,
  );
}

interface CallResult<T> {
  status: number;
  body: T;
}

/** One JSON request; a bridge that is not there becomes a one-line CliError, never a stack trace. */
async function callBridge<T = unknown>(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
  signal?: AbortSignal,
): Promise<CallResult<T>> {
  let res: Response;
  try {
    res = await fetch(url + path, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw notRunning(url);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed as T };
}

/**
 * The answer's body, made safe for the terminal it will be shown on; a non-2xx
 * answer becomes a one-line CliError carrying the bridge's own sentence.
 */
function expectOk<T>(io: CliIO, r: CallResult<T>): T {
  const body = forTerminal(io, r.body);
  if (r.status >= 200 && r.status < 300) return body;
  const b = body as { detail?: string; error?: string } | string;
  const detail = typeof b === 'object' && b ? (b.detail ?? b.error) : String(b).slice(0, 200);
  throw new CliError(`argybargy: ${detail ?? `the bridge answered ${r.status}`}`, r.status === 400 ? 2 : 1);
}

/** An admin request against `target`. */
export async function adminCall<T = unknown>(
  target: AdminTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  return expectOk(target.io, await callBridge<T>(target.url, method, path, { 'x-admin-token': target.token }, body));
}

/**
 * The agent's URL and code from ARGYBARGY_URL / ARGYBARGY_CODE (a code is never an
 * argument); without ARGYBARGY_URL, the bridge on this machine (localBridgeUrl).
 */
export async function agentTarget(io: CliIO): Promise<AgentTarget> {
  const code = io.env.ARGYBARGY_CODE?.trim();
  if (!code) throw new CliError('argybargy: set ARGYBARGY_CODE to your access code (ask the operator for one).');
  return { url: await agentUrl(io), code, io };
}

/** ARGYBARGY_URL without a trailing slash, else the bridge on this machine (localBridgeUrl). */
export async function agentUrl(io: CliIO): Promise<string> {
  const fromEnv = io.env.ARGYBARGY_URL?.trim();
  if (fromEnv) return fromEnv.replace(/\/+$/, '');
  return localBridgeUrl(configFrom(io.env), io.env);
}

/** An agent request with the code from the environment. */
export async function agentCall<T = unknown>(
  agent: AgentTarget,
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<T> {
  return expectOk(
    agent.io,
    await callBridge<T>(agent.url, method, path, { authorization: `Bearer ${agent.code}` }, body, signal),
  );
}
