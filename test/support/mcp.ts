import type { TestContext } from 'node:test';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** A tool result as the tests read it. */
export interface ToolAnswer {
  isError?: boolean;
  content: Array<{ type: string; text: string }>;
  data: any;
}

/** Per-call options: a client-side timeout (ms) or an abort signal. */
export interface CallOptions {
  timeout?: number;
  signal?: AbortSignal;
}

/** Which MCP era the client speaks: 2025-11-25 (the v1 SDK) or 2026-07-28 (the v2 SDK). */
export type Era = 'legacy' | 'modern';

function answer(r: unknown): ToolAnswer {
  const x = r as { isError?: boolean; content: ToolAnswer['content']; structuredContent?: unknown };
  return { isError: x.isError, content: x.content, data: x.structuredContent as any };
}

/**
 * An MCP SDK client connected to a bridge's /mcp as the agent with `code`, closed
 * when the test ends: the v1 SDK (2025-11-25 handshake) by default, the v2 SDK
 * (2026-07-28, stateless, with fallback) for `era: 'modern'`.
 */
export async function mcpClient(t: TestContext, url: string, code: string, era: Era = 'legacy') {
  const requestInit = { headers: { authorization: `Bearer ${code}` } };
  const endpoint = new URL(`${url}/mcp`);
  if (era === 'modern') {
    const client = new ModernClient({ name: 'test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new ModernTransport(endpoint, { requestInit }));
    t.after(() => client.close());
    const call = async (name: string, args: Record<string, unknown> = {}, opts: CallOptions = {}) =>
      answer(await client.callTool({ name, arguments: args }, opts));
    return { client, call, era };
  }
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(endpoint, { requestInit }));
  t.after(() => client.close());
  const call = async (name: string, args: Record<string, unknown> = {}, opts: CallOptions = {}) =>
    answer(await client.callTool({ name, arguments: args }, undefined, opts));
  return { client, call, era };
}
