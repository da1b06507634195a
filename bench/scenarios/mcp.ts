import { request } from 'undici';
import { makeClient, mintCodes } from '../lib/client.js';
import { pct, r2, report, sleep } from '../lib/report.js';
import type { RunOptions } from './types.js';

const MODERN = '2026-07-28';

/** One MCP tools/call as a client of `era` sends it (stateless: no handshake needed in either era). */
function toolCall(era: 'legacy' | 'modern', id: number, name: string, args: Record<string, unknown>) {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  const params: Record<string, unknown> = { name, arguments: args };
  if (era === 'modern') {
    headers['mcp-protocol-version'] = MODERN;
    headers['mcp-method'] = 'tools/call';
    headers['mcp-name'] = name;
    params._meta = {
      'io.modelcontextprotocol/protocolVersion': MODERN,
      'io.modelcontextprotocol/clientCapabilities': {},
    };
  } else headers['mcp-protocol-version'] = '2025-11-25';
  return { headers, body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params }) };
}

/**
 * MCP: a wait_for_messages parked over each era, woken by a REST post (time from
 * the post to the tool's full answer), and the round trip of a whoami call — what
 * the per-request server and the exactly-once handout cost on top of a long-poll.
 */
export async function mcp(o: RunOptions) {
  const reps = o.smoke ? 10 : o.quick ? 100 : 400;
  const t = await o.target({ ARGYBARGY_RATE_MAX: '0' });
  const client = makeClient();
  try {
    const [listener, poster] = await mintCodes(client, t.nodes[0], t.adminToken, 2, 'mcp', () => 'mcp');
    const at = t.node(0);
    const m: Record<string, number> = { reps };
    let id = 0;
    const call = async (era: 'legacy' | 'modern', name: string, args: Record<string, unknown>) => {
      const { headers, body } = toolCall(era, ++id, name, args);
      headers.authorization = `Bearer ${listener}`;
      const res = await request(`${at}/mcp`, { method: 'POST', headers, body });
      const answer = (await res.body.json()) as { result?: { structuredContent?: { messages?: unknown[] } } };
      if (res.statusCode !== 200) throw new Error(`mcp ${era} ${name}: ${res.statusCode} ${JSON.stringify(answer)}`);
      return answer.result?.structuredContent;
    };
    for (const era of ['legacy', 'modern'] as const) {
      const wake: number[] = [];
      const rtt: number[] = [];
      for (let i = 0; i < reps + 20; i++) {
        const parked = call(era, 'wait_for_messages', { wait_seconds: 25 });
        await sleep(3);
        const t0 = performance.now();
        const posted = client.call(t.node(1), 'POST', '/messages', { code: poster, body: { text: `ping ${i}` } });
        const got = await parked;
        const dt = performance.now() - t0;
        await posted;
        if (got?.messages?.length !== 1)
          throw new Error(`mcp ${era}: expected one message, got ${JSON.stringify(got)}`);
        const r0 = performance.now();
        await call(era, 'whoami', {});
        // The first answers warm up the JIT and load the SDK.
        if (i >= 20) {
          wake.push(dt);
          rtt.push(performance.now() - r0);
        }
      }
      m[`${era}_wake_p50_ms`] = r2(pct(wake, 50));
      m[`${era}_wake_p99_ms`] = r2(pct(wake, 99));
      m[`${era}_call_p50_ms`] = r2(pct(rtt, 50));
      m[`${era}_call_p99_ms`] = r2(pct(rtt, 99));
    }
    return report(
      'mcp',
      t.mode,
      o.quick,
      m,
      [
        { metric: 'modern_wake_p99_ms', goal: 10, better: 'lower' },
        { metric: 'legacy_wake_p99_ms', goal: 10, better: 'lower' },
      ],
      `MCP wait woken by a post: p50 ${m.modern_wake_p50_ms} ms (2026-07-28), ${m.legacy_wake_p50_ms} ms (2025-11-25); a tool call round trip p50 ${m.modern_call_p50_ms} / ${m.legacy_call_p50_ms} ms`,
    );
  } finally {
    await client.close();
    await t.stop();
  }
}
