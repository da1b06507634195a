import type { Static, TSchema } from 'typebox';
import { dataPaths } from '../app/data-dir.js';
import { readSmallFile } from '../app/small-file.js';
import type { Config } from '../config.js';
import { shapeProblem } from '../wire/check.js';
import { oneLine } from './format.js';
import { CliError, type CliIO } from './io.js';
import { configFrom, localBridgeUrl, noticeTo } from './local.js';
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
  const local = await localBridgeUrl(config, io.env, noticeTo(io));
  let token = fromEnv;
  if (!token) {
    // Read like bridge.json: a FIFO or a huge file in its place must not hang the command.
    const file = readSmallFile(dataPaths(config.dataDir).adminToken, 4096);
    token = file && 'text' in file ? file.text.trim() : '';
    if (!token) throw notRunning(local);
  }
  return { url: local, token, local: true, io };
}

function notRunning(url: string): CliError {
  return new CliError(
    `argybargy: no bridge is answering at ${url}. Start one with: argybargy serve (or point at one with --url).`,
  );
}

interface CallResult {
  status: number;
  body: unknown;
}

/** One JSON request; a bridge that is not there becomes a one-line CliError, never a stack trace. */
async function callBridge(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
  signal?: AbortSignal,
): Promise<CallResult> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url + path, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      // A bridge never redirects: following one would carry the credentials elsewhere.
      redirect: 'error',
      signal,
    });
    text = await res.text();
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw notRunning(url);
  }
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

/** What a request was, for messages: `GET http://…/admin/state` (never a credential). */
interface Asked {
  url: string;
  method: string;
  path: string;
}

/**
 * The answer's body, checked against `schema` (the wire shape the command reads) and
 * made safe for the terminal it will be shown on. A non-2xx answer becomes a
 * one-line CliError carrying the bridge's own sentence; a 2xx answer of another
 * shape (something that is not an argybargy bridge answered) a one-line CliError
 * saying so, instead of a JavaScript error later.
 */
function expectOk<S extends TSchema>(io: CliIO, asked: Asked, r: CallResult, schema: S): Static<S> {
  const body = forTerminal(io, r.body);
  if (r.status >= 200 && r.status < 300) {
    const problem = shapeProblem(schema, r.body);
    if (problem === null) return body as Static<S>;
    throw new CliError(
      `argybargy: the answer of ${asked.method} ${asked.url}${asked.path.split('?')[0]} is not an argybargy bridge's (${oneLine(
        forTerminal(io, problem),
        300,
      )}). Is ${asked.url} the bridge?`,
    );
  }
  const b = body as { detail?: unknown; error?: unknown } | string;
  const detail =
    typeof b === 'object' && b !== null
      ? typeof b.detail === 'string'
        ? b.detail
        : typeof b.error === 'string'
          ? b.error
          : undefined
      : String(b).slice(0, 200);
  throw new CliError(
    `argybargy: ${detail?.trim() ? oneLine(detail, 1000) : `the bridge answered ${r.status}`}`,
    r.status === 400 ? 2 : 1,
  );
}

/** An admin request against `target`; the answer must have the shape `schema` (see expectOk). */
export async function adminCall<S extends TSchema>(
  target: AdminTarget,
  method: string,
  path: string,
  schema: S,
  body?: unknown,
): Promise<Static<S>> {
  const r = await callBridge(target.url, method, path, { 'x-admin-token': target.token }, body);
  return expectOk(target.io, { url: target.url, method, path }, r, schema);
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
  return localBridgeUrl(configFrom(io.env), io.env, noticeTo(io));
}

/** An agent request with the code from the environment; the answer must have the shape `schema` (see expectOk). */
export async function agentCall<S extends TSchema>(
  agent: AgentTarget,
  method: string,
  path: string,
  schema: S,
  body?: unknown,
  signal?: AbortSignal,
): Promise<Static<S>> {
  const r = await callBridge(agent.url, method, path, { authorization: `Bearer ${agent.code}` }, body, signal);
  return expectOk(agent.io, { url: agent.url, method, path }, r, schema);
}
