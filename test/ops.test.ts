import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Agent, request as undiciRequest } from 'undici';
import { post, request, startBridge, tempDir } from './helpers.js';
import { spawnBridge } from './support/processes.js';
import { receiver } from './support/receiver.js';

const spawnServer = spawnBridge;

describe('readiness and metrics', () => {
  it('says ready when the store answers', async (t) => {
    const b = await startBridge(t);
    const r = await b.call('GET', '/ready');
    assert.deepEqual([r.status, r.body], [200, { status: 'ready' }]);
  });

  it('serves Prometheus metrics to the admin token or the metrics token only', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_METRICS_TOKEN: 'scraper-secret', ARGYBARGY_RATE_MAX: '1' });
    const a = await b.invite('a', 'm');
    const c = await b.invite('c', 'm');
    await b.invite('e', 'empty'); // a room with a code and no message: not counted in argybargy_rooms
    await post(b, a, 'one');
    await post(b, a, 'two');
    await b.call('GET', '/messages?since=0', { code: c });
    await b.call('GET', '/whoami', { code: 'wrong' });
    const parked = b.call('GET', '/messages?since=1&wait=5', { code: c });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await b.call('GET', '/metrics')).status, 401);
    assert.equal((await b.call('GET', '/metrics', { headers: { authorization: 'Bearer nope' } })).status, 401);
    const viaToken = await b.call('GET', '/metrics', { headers: { authorization: 'Bearer scraper-secret' } });
    assert.equal(viaToken.status, 200);
    assert.match(viaToken.headers.get('content-type') ?? '', /text\/plain/);
    const m = (await b.call('GET', '/metrics', { admin: true })).text;
    const value = (re: RegExp) => Number(re.exec(m)?.[1]);
    assert.equal(value(/^argybargy_messages_posted_total\{by="agent"\} (\d+)/m), 1);
    assert.equal(value(/^argybargy_rate_limited_total (\d+)/m), 1);
    assert.equal(value(/^argybargy_deliveries_total (\d+)/m), 1);
    assert.equal(value(/^argybargy_auth_failures_total\{kind="agent"\} (\d+)/m), 1);
    assert.ok(value(/^argybargy_auth_failures_total\{kind="admin"\} (\d+)/m) >= 2);
    assert.equal(value(/^argybargy_parked_polls (\d+)/m), 1);
    assert.equal(value(/^argybargy_rooms (\d+)/m), 1);
    assert.equal(value(/^argybargy_codes (\d+)/m), 3);
    assert.match(m, /^argybargy_http_requests_total\{method="POST",route="\/messages",status="200"\} 1$/m);
    assert.match(m, /^argybargy_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/messages"\}/m);
    assert.match(m, /^argybargy_process_resident_memory_bytes \d+/m);
    await post(b, a, 'three').catch(() => null);
    await parked;
  });
});

describe('logs', () => {
  it('are JSON lines that never hold a code, the admin token or a message text', async (t) => {
    const dir = tempDir(t);
    const s = await spawnServer({
      ARGYBARGY_DATA: dir,
      ARGYBARGY_LOG_LEVEL: 'debug',
      ARGYBARGY_RATE_MAX: '0',
      ARGYBARGY_WEBHOOK_PRIVATE: '1',
    });
    t.after(() => s.child.kill('SIGKILL'));
    const { readFileSync } = await import('node:fs');
    const admin = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    const secretText = 'TOP-SECRET-MESSAGE-TEXT-8841';
    const inv = await request(s.url, 'POST', '/admin/invite', {
      adminToken: admin,
      body: { name: 'agent', room: 'logs' },
    });
    const code = inv.body.code as string;
    const other = (
      await request(s.url, 'POST', '/admin/invite', { adminToken: admin, body: { name: 'other', room: 'logs' } })
    ).body.code;
    await request(s.url, 'POST', '/messages', { code, body: { text: secretText, expects_reply: 'anyone' } });
    await request(s.url, 'GET', '/messages?since=0', { code: other });
    await request(s.url, 'POST', '/messages/1/claim', { code: other });
    await request(s.url, 'POST', '/messages', {
      code,
      raw: `{"text": "${secretText}" broken`,
      headers: { 'content-type': 'application/json' },
    });
    await request(s.url, 'GET', '/whoami', { headers: { authorization: `Bearer ${code}x` } });
    await request(s.url, 'GET', '/admin/state', { adminToken: `${admin}x` });
    // A real receiver: the bundled bridge's webhook client must work too.
    const rx = await receiver(t);
    const hook = await request(s.url, 'POST', '/webhook', { code: other, body: { url: rx.url } });
    assert.equal(hook.status, 200);
    await request(s.url, 'POST', '/messages', { code, body: { text: 'wake up' } });
    for (let i = 0; i < 100 && rx.hits.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(rx.hits.length, 1, 'the notice arrived');
    const ticket = (await request(s.url, 'POST', '/messages/stream/ticket', { code })).body.ticket as string;
    await request(s.url, 'HEAD', `/messages/stream?ticket=${ticket}`);
    await request(s.url, 'POST', '/admin/say', { adminToken: admin, body: { room: 'logs', text: secretText } });
    const rotated = (await request(s.url, 'POST', '/admin/regenerate-token', { adminToken: admin })).body.admin_token;
    await request(s.url, 'POST', '/admin/revoke', { adminToken: rotated, body: { target: code } });
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
    const lines = s.out.stdout.trim().split('\n');
    assert.ok(lines.length > 10, 'requests were logged at debug level');
    for (const l of lines) JSON.parse(l);
    const everything = s.out.stdout + s.out.stderr;
    for (const secret of [code, other, admin, rotated, secretText, hook.body.secret, ticket]) {
      assert.ok(!everything.includes(secret), `a secret leaked into the log: ${String(secret).slice(0, 6)}…`);
    }
  });

  it('prints no access log at warn', async (t) => {
    const dir = tempDir(t);
    const s = await spawnServer({ ARGYBARGY_DATA: dir, ARGYBARGY_LOG_LEVEL: 'warning' });
    t.after(() => s.child.kill('SIGKILL'));
    await request(s.url, 'GET', '/health');
    s.child.kill('SIGTERM');
    await s.exited;
    assert.equal(s.out.stdout, '');
  });
});

describe('graceful shutdown', () => {
  it('answers 200 parked polls on SIGTERM, exits 0, and loses nothing acknowledged', async (t) => {
    const dir = tempDir(t);
    const s = await spawnServer({ ARGYBARGY_DATA: dir, ARGYBARGY_LOG_LEVEL: 'warn', ARGYBARGY_RATE_MAX: '0' });
    t.after(() => s.child.kill('SIGKILL'));
    const { readFileSync } = await import('node:fs');
    const admin = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    const writer = (
      await request(s.url, 'POST', '/admin/invite', { adminToken: admin, body: { name: 'writer', room: 'down' } })
    ).body.code;
    const acked: number[] = [];
    for (let i = 0; i < 10; i++)
      acked.push(
        (await request(s.url, 'POST', '/messages', { code: writer, body: { text: `m${i}` } })).body.message.seq,
      );
    const readers = await Promise.all(
      Array.from(
        { length: 20 },
        async (_, i) =>
          (await request(s.url, 'POST', '/admin/invite', { adminToken: admin, body: { name: `r${i}`, room: 'down' } }))
            .body.code as string,
      ),
    );
    const dispatcher = new Agent({ connections: null, pipelining: 1 });
    t.after(() => dispatcher.close());
    const polls = Array.from({ length: 200 }, async (_, i) => {
      const res = await undiciRequest(`${s.url}/messages?since=10&wait=25`, {
        headers: { authorization: `Bearer ${readers[i % readers.length]}` },
        dispatcher,
      });
      return { status: res.statusCode, body: JSON.parse(await res.body.text()) };
    });
    for (let i = 0; i < 100; i++) {
      const stats = await request(s.url, 'GET', '/admin/stats', { adminToken: admin });
      if (stats.body.parked_polls >= 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const t0 = performance.now();
    s.child.kill('SIGTERM');
    const answers = await Promise.all(polls);
    assert.equal(await s.exited, 0);
    assert.ok(performance.now() - t0 < 5000, 'within a few seconds');
    for (const a of answers) {
      assert.equal(a.status, 200);
      assert.equal(a.body.cursor, 10);
      assert.deepEqual(a.body.messages, []);
    }
    const again = await startBridge(t, {}, { dataDir: dir });
    const hist = (await again.call('GET', '/history?limit=50', { code: writer })).body.messages.map(
      (m: { seq: number }) => m.seq,
    );
    assert.deepEqual(hist, acked);
  });
});
