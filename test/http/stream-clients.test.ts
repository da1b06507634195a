import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventSource } from 'eventsource';
import { post, sleep, startBridge } from '../helpers.js';

async function until(cond: () => boolean, ms: number, what: string) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('the event stream for every client', () => {
  it('lets a client without headers in with a single-use ticket, never the code in the URL', async (t) => {
    const b = await startBridge(t);
    const me = await b.invite('browser', 'tickets');
    const talker = await b.invite('talker', 'tickets');
    const issued = await b.call('POST', '/messages/stream/ticket', { code: me });
    assert.equal(issued.status, 200);
    assert.ok(issued.body.ticket.length >= 40 && issued.body.expires_in === 30);
    // The eventsource package behaves as a browser's EventSource: no custom headers.
    const es = new EventSource(`${b.url}/messages/stream?ticket=${issued.body.ticket}`);
    t.after(() => es.close());
    const texts: string[] = [];
    es.addEventListener('message', (e) => texts.push(JSON.parse(e.data).text));
    await until(() => es.readyState === EventSource.OPEN, 2000, 'the stream to open');
    await post(b, talker, 'hello, browser');
    await until(() => texts.length === 1, 2000, 'the message');
    assert.deepEqual(texts, ['hello, browser']);
    const again = await b.call('GET', `/messages/stream?ticket=${issued.body.ticket}`);
    assert.equal(again.status, 401, 'a ticket works once');
    assert.equal((await b.call('GET', '/messages/stream?ticket=made-up')).status, 401);
  });

  it('answers 204 to a stream of a closed room, so an EventSource stops reconnecting', async (t) => {
    const b = await startBridge(t);
    const me = await b.invite('leaver', 'shut');
    await b.call('POST', '/admin/rooms/shut/close', { admin: true });
    const r = await b.call('GET', '/messages/stream', { code: me });
    assert.equal(r.status, 204);
    const es = new EventSource(`${b.url}/messages/stream`, {
      fetch: (url, init) => fetch(url, { ...init, headers: { ...init?.headers, authorization: `Bearer ${me}` } }),
    });
    t.after(() => es.close());
    let errors = 0;
    es.addEventListener('error', () => errors++);
    await sleep(2500);
    assert.equal(es.readyState, EventSource.CLOSED, 'the client gave up instead of reconnecting every 2 s');
    assert.ok(errors <= 1);
  });

  it('sends CORS headers on the stream and allows the MCP and stream headers in a preflight', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_CORS_ORIGINS: 'https://app.example' });
    const me = await b.invite('cors', 'c');
    const ac = new AbortController();
    t.after(() => ac.abort());
    const res = await fetch(`${b.url}/messages/stream`, {
      headers: { authorization: `Bearer ${me}`, origin: 'https://app.example' },
      signal: ac.signal,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example');
    const pre = await b.call('OPTIONS', '/mcp', {
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers':
          'authorization,content-type,mcp-protocol-version,mcp-session-id,last-event-id,mcp-method,mcp-name',
      },
    });
    assert.ok(pre.status === 204 || pre.status === 200, String(pre.status));
    const allowed = (pre.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const h of ['mcp-protocol-version', 'mcp-session-id', 'last-event-id', 'mcp-method', 'mcp-name']) {
      assert.ok(allowed.includes(h), h);
    }
  });
});

describe('connecting on the first try', () => {
  it('challenges with WWW-Authenticate: Bearer on every 401', async (t) => {
    const b = await startBridge(t);
    for (const path of ['/whoami', '/messages', '/messages/stream', '/history']) {
      const none = await b.call('GET', path);
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="argybargy"', path);
      const wrong = await b.call('GET', path, { code: 'not-a-code' });
      assert.equal(wrong.headers.get('www-authenticate'), 'Bearer realm="argybargy", error="invalid_token"', path);
    }
    const mcp = await b.call('POST', '/mcp', { body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } });
    assert.equal(mcp.status, 401);
    assert.match(mcp.headers.get('www-authenticate') ?? '', /^Bearer /);
    assert.ok((await b.call('GET', '/admin/state')).headers.get('www-authenticate'));
  });

  it('answers the OAuth discovery paths clients probe with a JSON 404: how to pass a code, or, with one, to check it', async (t) => {
    const b = await startBridge(t);
    const code = await b.invite('probe', 'discovery');
    for (const [method, path] of [
      ['GET', '/.well-known/oauth-protected-resource'],
      ['GET', '/.well-known/oauth-protected-resource/mcp'],
      ['GET', '/.well-known/oauth-authorization-server'],
      ['GET', '/.well-known/oauth-authorization-server/mcp'],
      ['GET', '/.well-known/openid-configuration'],
      ['POST', '/register'],
      ['POST', '/token'],
      ['GET', '/authorize'],
    ]) {
      const body = method === 'POST' ? { body: { client_name: 'x' } } : {};
      // No code sent: how to pass one.
      for (const headers of [{}, { authorization: 'Bearer ' }] as Record<string, string>[]) {
        const r = await b.call(method, path, { ...body, headers });
        assert.equal(r.status, 404, path);
        assert.equal(r.body.error, 'not_found');
        assert.match(
          r.body.detail,
          /^This bridge does not use OAuth: pass your access code as a header, 'Authorization: Bearer <code>'/,
          path,
        );
        assert.match(r.body.detail, /argybargy connect claude/);
      }
      // A code sent (mcp-remote probes here with its headers after a 401): the code is what to check.
      const wrong = await b.call(method, path, { ...body, code: 'not-the-code' });
      assert.equal(wrong.status, 404, path);
      assert.equal(
        wrong.body.detail,
        "This bridge does not use OAuth: the access code in an 'Authorization: Bearer <code>' header, which this request carries, is all it takes. If the bridge refused the code you sent (401), check it, or ask the operator for a new one (argybargy invite).",
        path,
      );
      assert.equal(
        (await b.call(method, path, { ...body, code })).body.detail,
        wrong.body.detail,
        'never checked here',
      );
      // A variable the client never expanded: said so.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the text a client sends when it did not expand the variable
      const unexpanded = await b.call(method, path, { ...body, code: '${ARGYBARGY_CODE}' });
      assert.equal(
        unexpanded.body.detail,
        `${wrong.body.detail} The code sent is the text \${ARGYBARGY_CODE}, not a code: set ARGYBARGY_CODE in the environment the client starts in.`,
      );
      assert.ok(!JSON.stringify(wrong.body).includes('not-the-code'), 'the code is never repeated');
    }
    // A probe is not a sign-in: nothing counted, nothing audited.
    const events = (await b.call('GET', '/admin/audit?limit=50', { admin: true })).body.events;
    assert.ok(!events.some((e: any) => e.action === 'agent_auth_failed'));
  });
});
