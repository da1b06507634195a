import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { poll, sleep, startBridge, tempDir } from '../helpers.js';

/** Sends raw bytes on a new connection and collects everything until it closes or `ms` pass. */
function raw(url: string, bytes: string | Buffer, ms = 2000): Promise<{ text: string; closed: boolean; took: number }> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = connect(Number(u.port), u.hostname);
    let text = '';
    let closed = false;
    const done = () => resolve({ text, closed, took: Date.now() - t0 });
    const timer = setTimeout(() => {
      s.destroy();
      done();
    }, ms);
    s.on('data', (d) => {
      text += d.toString('latin1');
    });
    s.on('close', () => {
      closed = true;
      clearTimeout(timer);
      done();
    });
    s.on('error', () => undefined);
    s.write(bytes);
  });
}

/** Opens `n` idle connections and resolves with them (and what each got back so far). */
async function idle(url: string, n: number): Promise<Array<{ socket: Socket; got: () => string }>> {
  const u = new URL(url);
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<{ socket: Socket; got: () => string }>((resolve) => {
          let got = '';
          const socket = connect(Number(u.port), u.hostname, () => resolve({ socket, got: () => got }));
          socket.on('data', (d) => {
            got += d.toString('latin1');
          });
          socket.on('error', () => undefined);
        }),
    ),
  );
}

describe('every resource bounded', () => {
  it('caps the requests one agent may have waiting, across polls, streams and MCP waits', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_MAX_PARKED_PER_AGENT: '3' });
    const me = await b.invite('greedy', 'cap');
    const other = await b.invite('other', 'cap');
    const ac = new AbortController();
    t.after(() => ac.abort());
    const parked = [poll(b, me, 0, 25, ac.signal), poll(b, me, 0, 25, ac.signal)];
    const stream = fetch(`${b.url}/messages/stream`, { headers: { authorization: `Bearer ${me}` }, signal: ac.signal });
    await sleep(200);
    assert.equal((await stream).status, 200);
    const over = await poll(b, me, 0, 25);
    assert.equal(over.status, 429);
    assert.equal(over.body.error, 'too_many_waits');
    assert.equal(over.headers.get('retry-after'), '1');
    const overStream = await b.call('GET', '/messages/stream', { code: me });
    assert.equal(overStream.status, 429, 'a stream over the cap is refused before it starts');
    assert.equal((await poll(b, other, 0, 0)).status, 200, 'other agents are not affected');
    ac.abort();
    await Promise.allSettled(parked);
    await sleep(100);
    assert.equal((await poll(b, me, 0, 0)).status, 200, 'a place frees when a reader ends');
  });

  it('caps connections per client address and answers the one over with 429', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_TRUST_PROXY: 'none', ARGYBARGY_MAX_CONNECTIONS_PER_ADDRESS: '5' });
    const held = await idle(b.url, 5);
    const over = await raw(b.url, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(over.text, /^HTTP\/1\.1 429 /);
    assert.match(over.text, /"error":"too_many_connections"/);
    assert.ok(over.closed);
    for (const h of held) h.socket.destroy();
    await sleep(100);
    assert.equal((await b.call('GET', '/health')).status, 200);
  });

  it('behind a trusted proxy, caps requests in flight per forwarded address instead', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_MAX_CONNECTIONS_PER_ADDRESS: '2' });
    const a = await b.invite('a', 'px');
    const ac = new AbortController();
    t.after(() => ac.abort());
    const headers = { 'x-forwarded-for': '203.0.113.20' };
    const parked = [1, 2].map(() =>
      b.call('GET', '/messages?wait=25', { code: a, headers, signal: ac.signal }).catch(() => null),
    );
    await sleep(200);
    const over = await b.call('GET', '/whoami', { code: a, headers });
    assert.equal(over.status, 429);
    assert.equal(over.body.error, 'too_many_connections');
    assert.equal(
      (await b.call('GET', '/whoami', { code: a, headers: { 'x-forwarded-for': '203.0.113.21' } })).status,
      200,
    );
    ac.abort();
    await Promise.all(parked);
  });

  it('cuts off a body that arrives too slowly, and never waits on the body of a refused request', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_REQUEST_TIMEOUT: '1' });
    const me = await b.invite('slow', 'slow');
    const slow = await raw(
      b.url,
      `POST /messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${me}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"te`,
      5000,
    );
    assert.match(slow.text, /^HTTP\/1\.1 408 /);
    assert.match(slow.text, /"error":"request_timeout"/);
    assert.ok(slow.closed && slow.took < 3500, `cut after ${slow.took} ms`);
    for (const path of ['/messages', '/nope', '/admin/invite']) {
      const r = await raw(b.url, `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nabc`, 3000);
      assert.match(r.text, /^HTTP\/1\.1 40[14] /, path);
      assert.match(r.text, /connection: close/i, path);
      assert.ok(r.closed && r.took < 500, `${path}: closed after ${r.took} ms`);
    }
  });

  it('makes an existing data directory owner-only', async (t) => {
    const parent = tempDir(t);
    const dir = join(parent, 'state');
    mkdirSync(dir, { mode: 0o755 });
    assert.equal(statSync(dir).mode & 0o777, 0o755);
    await startBridge(t, {}, { dataDir: dir });
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });
});

describe('bad input gets a clear 4xx, always', () => {
  it('refuses deeply nested JSON on every path with a 4xx, never a 5xx', async (t) => {
    const b = await startBridge(t);
    const me = await b.invite('nest', 'n');
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    for (const [path, opts] of [
      ['/messages', { code: me }],
      ['/nope', {}],
      ['/admin/invite', { admin: true as const }],
      ['/mcp', { code: me }],
    ] as const) {
      const r = await b.call('POST', path, { ...opts, raw: deep, headers: { 'content-type': 'application/json' } });
      assert.ok(r.status >= 400 && r.status < 500, `${path}: ${r.status}`);
    }
    const r = await b.call('POST', '/messages', {
      code: me,
      raw: deep,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(r.body.error, 'bad_request');
    assert.match(r.body.detail, /deeper than 64 levels/);
    assert.equal((await b.call('GET', '/health')).status, 200);
  });

  it('answers HEAD on waiting endpoints at once, parking nothing', async (t) => {
    const b = await startBridge(t);
    const me = await b.invite('head', 'h');
    for (const path of ['/messages/stream', '/messages?wait=25', '/admin/changes?wait=25']) {
      const t0 = Date.now();
      const r = await b.call('HEAD', path, path.startsWith('/admin') ? { admin: true } : { code: me });
      assert.equal(r.status, 200, path);
      assert.ok(Date.now() - t0 < 1000, `${path} took ${Date.now() - t0} ms`);
    }
    assert.equal(b.running.ctx.live.wakeups.parkedCount(), 0);
  });

  it('answers what never reaches a route with the catalog: unknown methods, CONNECT, long URLs, large headers', async (t) => {
    const b = await startBridge(t);
    const cases: Array<[string, RegExp, string]> = [
      ['FOO /health HTTP/1.1\r\nHost: x\r\n\r\n', /^HTTP\/1\.1 405 /, 'method_not_allowed'],
      ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', /^HTTP\/1\.1 405 /, 'method_not_allowed'],
      [
        `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        /^HTTP\/1\.1 431 /,
        'headers_too_large',
      ],
      [
        `POST /messages/${'9'.repeat(5000)}/claim HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        /^HTTP\/1\.1 414 /,
        'uri_too_long',
      ],
      ['GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 (400|404) /, ''],
      ['GARBAGE\r\n\r\n', /^HTTP\/1\.1 40[05] /, ''],
    ];
    for (const [req, status, error] of cases) {
      const r = await raw(b.url, req);
      assert.match(r.text, status, req.slice(0, 30));
      const body = r.text.slice(r.text.indexOf('\r\n\r\n') + 4);
      const json = JSON.parse(body);
      assert.ok(typeof json.error === 'string' && typeof json.detail === 'string', body);
      if (error) assert.equal(json.error, error);
      assert.ok(body.length < 400, 'the answer never echoes a long request back');
    }
  });

  it('answers a lone surrogate in MCP tool arguments with a JSON-RPC error', async (t) => {
    const b = await startBridge(t);
    const me = await b.invite('rpc', 'rpc');
    const r = await b.call('POST', '/mcp', {
      code: me,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      raw: '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"send","arguments":{"text":"bad \\ud800"}}}',
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.jsonrpc, '2.0');
    assert.equal(r.body.error.code, -32600);
    assert.match(r.body.error.message, /not valid Unicode/);
    assert.equal(r.body.error.data.error, 'bad_request');
  });

  it('refuses names with bidi overrides or invisible characters', async (t) => {
    const b = await startBridge(t);
    for (const room of ['R\u202eevil', 'zero\u200bwidth']) {
      const r = await b.call('POST', '/admin/invite', { admin: true, body: { name: 'x', room } });
      assert.equal(r.status, 400, JSON.stringify(room));
      assert.match(r.body.detail, /invisible formatting/);
    }
    assert.equal((await b.call('POST', '/admin/invite', { admin: true, body: { name: 'R\u202eevil' } })).status, 400);
    const me = await b.invite('fine', 'r');
    assert.equal((await b.call('POST', '/messages', { code: me, body: { text: 'x', to: 'a\u2066b' } })).status, 400);
  });
});

describe('answers are bounded however large the messages', () => {
  it('splits a backlog into pages of bounded text, delivering each message exactly once', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_RATE_MAX: '0' });
    const me = await b.invite('reader', 'big');
    const writer = await b.invite('writer', 'big');
    const text = '\u0001'.repeat(7990);
    for (let i = 0; i < 60; i++) {
      assert.equal((await b.call('POST', '/messages', { code: writer, body: { text: `${i}:${text}` } })).status, 200);
    }
    const seen: number[] = [];
    let cursor = 0;
    let pages = 0;
    for (;;) {
      const r = await poll(b, me, cursor, 0);
      assert.ok(r.text.length < 2_000_000, `a page of ${r.text.length} bytes`);
      if (r.body.messages.length === 0) break;
      pages++;
      for (const m of r.body.messages) seen.push(m.seq);
      cursor = r.body.cursor;
    }
    assert.ok(pages >= 2, `${pages} pages`);
    assert.deepEqual(
      seen,
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    const hist = await b.call('GET', '/history?limit=500', { code: me });
    assert.ok(hist.text.length < 2_000_000);
    assert.ok(hist.body.messages.length < 60 && hist.body.messages.at(-1).seq === 60, 'the newest that fit');
  });

  it('refuses a JSON-RPC batch on /mcp', async (t) => {
    const b = await startBridge(t);
    const me = await b.invite('batcher', 'b');
    const one = { jsonrpc: '2.0', method: 'tools/call', params: { name: 'history', arguments: { limit: 500 } } };
    const r = await b.call('POST', '/mcp', {
      code: me,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: [
        { ...one, id: 1 },
        { ...one, id: 2 },
      ],
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, -32600);
    assert.match(r.body.error.message, /batches/);
  });

  it('never echoes a long key back in an error', async (t) => {
    const b = await startBridge(t);
    const me = await b.invite('echo', 'e');
    const key = 'k'.repeat(100_000);
    const rest = await b.call('POST', '/messages', { code: me, raw: `{"${key}":"\\ud800","text":"hi"}` });
    assert.equal(rest.status, 400);
    assert.ok(rest.text.length < 1000, `${rest.text.length} bytes`);
    const mcp = await b.call('POST', '/mcp', {
      code: me,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      raw: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"send","arguments":{"${key}":"\\ud800"}}}`,
    });
    assert.equal(mcp.status, 400);
    assert.ok(mcp.text.length < 1000, `${mcp.text.length} bytes`);
  });

  it('answers a request without a Host header with the catalog', async (t) => {
    const b = await startBridge(t);
    const r = await raw(b.url, 'GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n');
    assert.match(r.text, /^HTTP\/1\.1 404 /);
    assert.match(r.text, /"error":"not_found"/);
  });
});
