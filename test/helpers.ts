import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { type RunningBridge, startServer } from '../src/app/server.js';
import { loadConfig } from '../src/config.js';

/** A fresh temporary data directory, removed when the test ends. */
export function tempDir(t: TestContext | null, prefix = 'argybargy-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t?.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface CallOptions {
  code?: string;
  admin?: string | true;
  body?: unknown;
  /** Sent as-is instead of JSON-encoding `body`. */
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A real bridge on a random port with its own data directory. */
export interface TestBridge {
  url: string;
  dir: string;
  running: RunningBridge;
  admin(): Promise<string>;
  call<T = any>(method: string, path: string, opts?: CallOptions): Promise<ApiResponse<T>>;
  /** Mints a code over the admin API and returns it. */
  invite(name: string, room?: string, extra?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** Sends one HTTP request and reads the whole answer. */
export async function request<T = any>(
  base: string,
  method: string,
  path: string,
  opts: CallOptions & { adminToken?: string } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.code !== undefined) headers.authorization = `Bearer ${opts.code}`;
  if (opts.adminToken !== undefined) headers['x-admin-token'] = opts.adminToken;
  let body: string | Uint8Array | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, { method, headers, body: body as BodyInit | undefined, signal: opts.signal });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: leave the text
  }
  return { status: res.status, body: parsed as T, headers: res.headers, text };
}

/** Starts a bridge with ARGYBARGY_* overrides; stopped (and its directory removed) when the test ends. */
export async function startBridge(
  t: TestContext | null,
  env: Record<string, string> = {},
  opts: { dataDir?: string; now?: () => number; webhookRetryMs?: number[] } = {},
): Promise<TestBridge> {
  const dir = opts.dataDir ?? tempDir(t);
  const config = loadConfig({ ARGYBARGY_DATA: dir, ARGYBARGY_PORT: '0', ARGYBARGY_LOG_LEVEL: 'silent', ...env });
  const running = await startServer(config, { logger: false, now: opts.now, webhookRetryMs: opts.webhookRetryMs });
  const admin = () => running.ctx.adminTokens.current();
  const call = async <T = any>(method: string, path: string, o: CallOptions = {}) =>
    request<T>(running.url, method, path, { ...o, adminToken: o.admin === true ? await admin() : o.admin });
  const bridge: TestBridge = {
    url: running.url,
    dir,
    running,
    admin,
    call,
    async invite(name, room = 'default', extra = {}) {
      const r = await call('POST', '/admin/invite', { admin: true, body: { name, room, ...extra } });
      if (r.status !== 200) throw new Error(`invite failed: ${r.status} ${r.text}`);
      return r.body.code as string;
    },
    close: () => running.close(),
  };
  t?.after(() => running.close());
  return bridge;
}

/** Posts a message as the agent with `code`. */
export function post(b: TestBridge, code: string, text: string, extra: Record<string, unknown> = {}) {
  return b.call('POST', '/messages', { code, body: { text, ...extra } });
}

/** Polls GET /messages as the agent with `code`. */
export function poll(b: TestBridge, code: string, since = 0, wait = 0, signal?: AbortSignal) {
  return b.call('GET', `/messages?since=${since}&wait=${wait}`, { code, signal });
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves once `check()` is true, looking every 20 ms; throws after `timeoutMs` (a
 * generous bound: under load a loaded machine is slow, never wrong).
 */
export async function until(check: () => boolean, timeoutMs = 10_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
