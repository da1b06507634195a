import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { post, startBridge } from '../helpers.js';
import { type Era, mcpClient } from '../support/mcp.js';

const texts = (a: { data: { messages: Array<{ text: string }> } }) => a.data.messages.map((m) => m.text);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const era of ['legacy', 'modern'] as Era[]) {
  const label = era === 'legacy' ? '2025-11-25' : '2026-07-28';

  describe(`MCP exactly-once (${label} client)`, () => {
    it('loses nothing to a wait the client timed out, and delivers the rest once', async (t) => {
      const b = await startBridge(t);
      const rest = await b.invite('rest', 'r');
      const { call } = await mcpClient(t, b.url, await b.invite('m', 'r'), era);
      await assert.rejects(call('wait_for_messages', { wait_seconds: 20 }, { timeout: 500 }), /timed out|timeout/i);
      // The abandoned request is still open on the bridge; what comes now is not its.
      await sleep(300);
      await post(b, rest, 'after the timeout');
      const next = await call('wait_for_messages', { wait_seconds: 5 });
      assert.deepEqual(texts(next), ['after the timeout']);
      await post(b, rest, 'and one more');
      assert.deepEqual(texts(await call('wait_for_messages', { wait_seconds: 5 })), ['and one more'], 'never twice');
    });

    it('loses nothing to a wait the client aborted', async (t) => {
      const b = await startBridge(t);
      const rest = await b.invite('rest', 'r');
      const { call } = await mcpClient(t, b.url, await b.invite('m', 'r'), era);
      const abort = new AbortController();
      const gone = call('wait_for_messages', { wait_seconds: 20 }, { signal: abort.signal });
      await sleep(300);
      abort.abort();
      await assert.rejects(gone);
      await sleep(300);
      await post(b, rest, 'after the abort');
      assert.deepEqual(texts(await call('wait_for_messages', { wait_seconds: 5 })), ['after the abort']);
    });

    it('never gives one message to two parallel waits of one agent', async (t) => {
      const b = await startBridge(t);
      const rest = await b.invite('rest', 'r');
      const { call } = await mcpClient(t, b.url, await b.invite('m', 'r'), era);
      const waits = [1, 2, 3].map(() => call('wait_for_messages', { wait_seconds: 3 }));
      await sleep(300);
      await post(b, rest, 'only once');
      const got = (await Promise.all(waits)).flatMap(texts);
      assert.deepEqual(got, ['only once']);
      await post(b, rest, 'next');
      assert.deepEqual(texts(await call('wait_for_messages', { wait_seconds: 5 })), ['next']);
    });

    it('accepts null for optional arguments, as REST does', async (t) => {
      const b = await startBridge(t);
      const rest = await b.invite('rest', 'r');
      const { call } = await mcpClient(t, b.url, await b.invite('m', 'r'), era);
      const sent = await call('send', { text: 'hi', to: null, expects_reply: null });
      assert.equal(sent.isError, undefined, JSON.stringify(sent.content));
      assert.equal(sent.data.message.to, 'all');
      const hist = await call('history', { limit: null });
      assert.deepEqual(texts(hist), ['hi']);
      await post(b, rest, 'hello');
      const waited = await call('wait_for_messages', { since: null, wait_seconds: 0 });
      assert.deepEqual(texts(waited), ['hello']);
      const again = await call('wait_for_messages', { since: 0, wait_seconds: null });
      assert.deepEqual(texts(again), ['hello'], 'a default wait answers at once when something is there');
    });

    it('advertises only what it sends, and tells how long a wait may take', async (t) => {
      const b = await startBridge(t, { ARGYBARGY_MAX_WAIT: '20' });
      const { client } = await mcpClient(t, b.url, await b.invite('m', 'r'), era);
      if (era === 'modern') {
        assert.equal((client as any).getNegotiatedProtocolVersion(), '2026-07-28', 'no fallback to the handshake');
      }
      const caps = client.getServerCapabilities() as Record<string, any>;
      assert.deepEqual(caps.tools, { listChanged: false });
      assert.deepEqual(caps.prompts, { listChanged: false });
      assert.deepEqual(caps.resources, { subscribe: true, listChanged: false });
      assert.match(client.getInstructions() ?? '', /You are m in room r/);
      const wait = (await client.listTools()).tools.find((x) => x.name === 'wait_for_messages');
      assert.match(wait?.description ?? '', /at most 20\b/);
      assert.doesNotMatch(wait?.description ?? '', /50/);
    });
  });
}

describe('MCP cancellation by request id (2025-11-25)', () => {
  /** A stateless 2025-era JSON-RPC POST, as a client sends it after the handshake. */
  const rpc = (url: string, code: string, body: object, signal?: AbortSignal) =>
    fetch(`${url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${code}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', ...body }),
      signal,
    });
  const wait = (id: number, seconds: number) => ({
    id,
    method: 'tools/call',
    params: { name: 'wait_for_messages', arguments: { wait_seconds: seconds } },
  });
  const cancel = (id: number) => ({ method: 'notifications/cancelled', params: { requestId: id, reason: 'timeout' } });
  const read = async (r: Response) =>
    ((await r.json()) as any).result.structuredContent.messages.map((m: any) => m.text);

  it('delivers again an answer whose request was cancelled after it was sent', async (t) => {
    const b = await startBridge(t);
    const rest = await b.invite('rest', 'r');
    const code = await b.invite('m', 'r');
    await post(b, rest, 'raced');
    assert.deepEqual(await read(await rpc(b.url, code, wait(5, 5))), ['raced']);
    // The client gave up on request 5 just as its answer arrived: it never saw it.
    assert.equal((await rpc(b.url, code, cancel(5))).status, 202);
    assert.deepEqual(await read(await rpc(b.url, code, wait(6, 5))), ['raced'], 'delivered again');
    assert.equal((await rpc(b.url, code, cancel(5))).status, 202, 'a late cancel of an old request changes nothing');
    await post(b, rest, 'then');
    assert.deepEqual(await read(await rpc(b.url, code, wait(7, 5))), ['then']);
  });

  it('ends a parked wait that is cancelled from another request, giving it nothing', async (t) => {
    const b = await startBridge(t);
    const rest = await b.invite('rest', 'r');
    const code = await b.invite('m', 'r');
    const parked = rpc(b.url, code, wait(9, 20));
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await rpc(b.url, code, cancel(9));
    const ended = (await (await parked).json()) as any;
    assert.ok(Date.now() - t0 < 5000, 'the cancelled wait ends at once');
    assert.equal(ended.result.isError, true);
    await post(b, rest, 'kept');
    assert.deepEqual(await read(await rpc(b.url, code, wait(10, 5))), ['kept']);
  });

  it('delivers again an answer whose connection closed before it was written', async (t) => {
    const b = await startBridge(t);
    const rest = await b.invite('rest', 'r');
    const code = await b.invite('m', 'r');
    const abort = new AbortController();
    const parked = rpc(b.url, code, wait(11, 20), abort.signal).catch(() => null);
    await new Promise((r) => setTimeout(r, 300));
    abort.abort();
    await parked;
    await post(b, rest, 'survives');
    assert.deepEqual(await read(await rpc(b.url, code, wait(12, 5))), ['survives']);
  });
});

describe('MCP change notices', () => {
  it('tells a 2026-07-28 listener of each message it may see, once', async (t) => {
    const b = await startBridge(t);
    const rest = await b.invite('rest', 'r');
    const other = await b.invite('other', 'r');
    const { client, call } = await mcpClient(t, b.url, await b.invite('m', 'r'), 'modern');
    const seen: any[] = [];
    const c = client as any;
    c.setNotificationHandler('notifications/resources/updated', (n: { params: unknown }) => seen.push(n.params));
    const sub = await c.listen({ resourceSubscriptions: ['argybargy://inbox'] });
    t.after(() => sub.close());
    await post(b, rest, 'to all');
    await post(b, rest, 'to m', { to: 'm' });
    await post(b, rest, 'to other', { to: 'other' });
    await post(b, other, 'from other');
    const deadline = Date.now() + 5000;
    while (seen.length < 3 && Date.now() < deadline) await sleep(50);
    await sleep(300);
    assert.deepEqual(
      seen.map((p) => [p.uri, p._meta['argybargy/seq']]),
      [
        ['argybargy://inbox', 1],
        ['argybargy://inbox', 2],
        ['argybargy://inbox', 4],
      ],
    );
    // The notices took nothing: the wait hands the same messages out.
    assert.deepEqual(texts(await call('wait_for_messages', { wait_seconds: 0 })), ['to all', 'to m', 'from other']);
  });

  it('streams inbox notices to a 2025-11-25 client that subscribed', async (t) => {
    const b = await startBridge(t);
    const rest = await b.invite('rest', 'r');
    const { client } = (await mcpClient(t, b.url, await b.invite('m', 'r'), 'legacy')) as { client: LegacyClient };
    const { ResourceUpdatedNotificationSchema } = await import('@modelcontextprotocol/sdk/types.js');
    const seen: number[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      seen.push((n.params._meta as Record<string, number>)['argybargy/seq']);
    });
    await client.subscribeResource({ uri: 'argybargy://inbox' });
    // The client opens its GET stream after the handshake; give it a moment.
    await sleep(500);
    await post(b, rest, 'one');
    await post(b, rest, 'two');
    const deadline = Date.now() + 5000;
    while (seen.length < 2 && Date.now() < deadline) await sleep(50);
    assert.deepEqual(seen, [1, 2]);
    const inbox = await client.readResource({ uri: 'argybargy://inbox' });
    const unread = JSON.parse((inbox.contents[0] as { text: string }).text);
    assert.deepEqual(
      unread.messages.map((m: any) => m.text),
      ['one', 'two'],
      'the inbox shows what a wait would hand out',
    );
  });
});

describe('MCP over HTTP, as clients and browsers send it', () => {
  const list = { jsonrpc: '2.0', id: 1, method: 'tools/list' };

  it('answers JSON to any Accept that allows it, and 406 to one that does not', async (t) => {
    const b = await startBridge(t);
    const code = await b.invite('m', 'r');
    for (const accept of [undefined, '*/*', 'application/json', 'application/*;q=0.5']) {
      const headers: Record<string, string> = { authorization: `Bearer ${code}`, 'content-type': 'application/json' };
      if (accept) headers.accept = accept;
      const r = await fetch(`${b.url}/mcp`, { method: 'POST', headers, body: JSON.stringify(list) });
      assert.equal(r.status, 200, String(accept));
      assert.match(r.headers.get('content-type') ?? '', /application\/json/);
      assert.ok(((await r.json()) as any).result.tools.length > 0);
    }
    const html = await fetch(`${b.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${code}`, 'content-type': 'application/json', accept: 'text/html' },
      body: JSON.stringify(list),
    });
    assert.equal(html.status, 406);
    assert.equal(((await html.json()) as any).error.data.error, 'not_acceptable');
  });

  it('refuses pages from origins nobody allowed, before sign-in, and serves allowed ones with CORS', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_CORS_ORIGINS: 'https://agent.example' });
    const code = await b.invite('m', 'r');
    const send = (origin: string, auth = code) =>
      fetch(`${b.url}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json', origin },
        body: JSON.stringify(list),
      });
    const evil = await send('http://evil.example');
    assert.equal(evil.status, 403);
    assert.equal((await send('http://evil.example', 'wrong')).status, 403, 'no hint whether a code is valid');
    const local = await send('http://localhost:5173');
    assert.equal(local.status, 200);
    const allowed = await send('https://agent.example');
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://agent.example');
    const pre = await fetch(`${b.url}/mcp`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://agent.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, mcp-protocol-version, mcp-method, mcp-name',
      },
    });
    assert.equal(pre.status, 204);
    assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Mcp-Method/i);
  });
});

describe('MCP exactly-once when clients misbehave or share an agent', () => {
  const headers = (code: string, session?: string) => {
    const h: Record<string, string> = {
      authorization: `Bearer ${code}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    };
    if (session) h['mcp-session-id'] = session;
    return h;
  };
  const rpc = (url: string, code: string, body: object, session?: string) =>
    fetch(`${url}/mcp`, {
      method: 'POST',
      headers: headers(code, session),
      body: JSON.stringify({ jsonrpc: '2.0', ...body }),
    });
  const wait = (id: number, args: Record<string, unknown> = { wait_seconds: 3 }) => ({
    id,
    method: 'tools/call',
    params: { name: 'wait_for_messages', arguments: args },
  });
  const answer = async (r: Response) => ((await r.json()) as any).result.structuredContent;
  const got = async (r: Response) => (await answer(r)).messages.map((m: any) => m.text);

  it('keeps two clients of one agent apart although both number their requests from 1', async (t) => {
    const b = await startBridge(t);
    const rest = await b.invite('rest', 'r');
    const code = await b.invite('m', 'r');
    await post(b, rest, 'm1');
    assert.deepEqual(await got(await rpc(b.url, code, wait(5), 'client-a')), ['m1']);
    // The other client cancels its own request 5: client A's answer stands.
    await rpc(b.url, code, { method: 'notifications/cancelled', params: { requestId: 5 } }, 'client-b');
    await post(b, rest, 'm2');
    assert.deepEqual(await got(await rpc(b.url, code, wait(6), 'client-a')), ['m2'], 'm1 is not given again');
  });

  it('gives each SDK client a session id of its own, so one timing out leaves the other be', async (t) => {
    const b = await startBridge(t);
    const rest = await b.invite('rest', 'r');
    const code = await b.invite('m', 'r');
    const one = await mcpClient(t, b.url, code, 'legacy');
    const two = await mcpClient(t, b.url, code, 'legacy');
    const parked = one.call('wait_for_messages', { wait_seconds: 5 });
    // The same request id on the other client times out and is cancelled.
    await assert.rejects(two.call('wait_for_messages', { wait_seconds: 20 }, { timeout: 300 }));
    await sleep(300);
    await post(b, rest, 'for whoever waits');
    assert.deepEqual(texts(await parked), ['for whoever waits']);
  });

  it('never skips unread messages for a made-up since, nor moves back for an old one', async (t) => {
    const b = await startBridge(t);
    const rest = await b.invite('rest', 'r');
    const code = await b.invite('m', 'r');
    await post(b, rest, 'one');
    assert.deepEqual(await got(await rpc(b.url, code, wait(1, { wait_seconds: 0 }))), ['one']);
    await post(b, rest, 'unread');
    assert.deepEqual(await got(await rpc(b.url, code, wait(2, { since: 999_999, wait_seconds: 0 }))), []);
    assert.deepEqual(await got(await rpc(b.url, code, wait(3, { since: 0, wait_seconds: 0 }))), ['one', 'unread']);
    await post(b, rest, 'three');
    assert.deepEqual(await got(await rpc(b.url, code, wait(4, { wait_seconds: 0 }))), ['three']);
  });

  it('hands out a small page at a time with more: true, every message once', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_RATE_MAX: '0' });
    const rest = await b.invite('rest', 'r');
    const code = await b.invite('m', 'r');
    for (let i = 0; i < 40; i++) await post(b, rest, `${i} ${'x'.repeat(700)}`);
    const seen: string[] = [];
    for (let id = 1; id < 20; id++) {
      const a = await answer(await rpc(b.url, code, wait(id, { wait_seconds: 0 })));
      assert.ok(a.messages.length <= 16);
      assert.ok(JSON.stringify(a).length < 12_000, 'within what clients show a model');
      seen.push(...a.messages.map((m: any) => m.text.split(' ')[0]));
      if (!a.more) break;
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 40 }, (_, i) => String(i)),
    );
  });

  it('refuses a cancel without a usable request id, and subscriptions to resources it does not have', async (t) => {
    const b = await startBridge(t);
    const code = await b.invite('m', 'r');
    for (const params of [{}, { requestId: { x: 1 } }, { requestId: 'x'.repeat(500) }, { requestId: 1.5 }]) {
      const r = await rpc(b.url, code, { method: 'notifications/cancelled', params });
      assert.equal(r.status, 400, JSON.stringify(params).slice(0, 40));
    }
    const sub = await rpc(b.url, code, { id: 1, method: 'resources/subscribe', params: { uri: 'file:///etc/passwd' } });
    assert.equal(sub.status, 400);
    assert.equal(((await sub.json()) as any).error.code, -32602);
  });

  it('opens the notice stream at once, only for a 2025 protocol version', async (t) => {
    const b = await startBridge(t);
    const code = await b.invite('m', 'r');
    const open = (version: string) =>
      fetch(`${b.url}/mcp`, {
        headers: { authorization: `Bearer ${code}`, accept: 'text/event-stream', 'mcp-protocol-version': version },
        signal: AbortSignal.timeout(3000),
      });
    const t0 = Date.now();
    const ok = await open('2025-11-25');
    assert.equal(ok.status, 200);
    assert.ok(Date.now() - t0 < 2000, 'headers before the first notice');
    await ok.body?.cancel();
    assert.equal((await open('banana')).status, 405);
  });
});
