import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poll, post, sleep, startBridge, type TestBridge } from '../helpers.js';
import { mcpClient } from '../support/mcp.js';
import { receiver } from '../support/receiver.js';

/** Reads an SSE stream into events until it ends. */
async function openStream(b: TestBridge, code: string) {
  const ac = new AbortController();
  const res = await fetch(`${b.url}/messages/stream`, {
    headers: { authorization: `Bearer ${code}` },
    signal: ac.signal,
  });
  assert.equal(res.status, 200);
  const events: Array<{ event: string; data: any }> = [];
  let ended = false;
  const done = (async () => {
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const dec = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
    ended = true;
  })();
  return {
    events,
    get ended() {
      return ended;
    },
    done,
    close: () => ac.abort(),
  };
}

async function until(cond: () => boolean, ms: number, what = 'condition') {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
  return Date.now() - t0;
}

const LOCAL = { ARGYBARGY_WEBHOOK_PRIVATE: '1' };

describe('revocation ends access everywhere, at once', () => {
  it("silences a revoked agent's webhook, removes it, and a later code for the name starts clean", async (t) => {
    const b = await startBridge(t, LOCAL);
    const carol = await b.invite('carol', 'hooks');
    const dave = await b.invite('dave', 'hooks');
    const rx = await receiver(t);
    const reg = await b.call('POST', '/webhook', { code: carol, body: { url: rx.url, include_text: true } });
    assert.equal(reg.status, 200);
    await post(b, dave, 'before');
    await until(() => rx.hits.length === 1, 2000, 'the first notice');
    assert.equal((await b.call('POST', '/admin/revoke', { admin: true, body: { target: 'carol' } })).body.revoked, 1);
    assert.equal((await b.call('GET', '/whoami', { code: carol })).status, 401);
    await post(b, dave, 'secret after revocation', { to: 'carol' });
    await post(b, dave, 'broadcast after revocation');
    await sleep(400);
    assert.equal(rx.hits.length, 1, 'nothing reaches the revoked agent');
    assert.ok(
      !rx.hits
        .map((h) => h.body)
        .join('')
        .includes('after revocation'),
    );
    assert.deepEqual((await b.call('GET', '/admin/webhooks', { admin: true })).body.webhooks, []);

    const again = await b.invite('carol', 'hooks');
    await post(b, dave, 'to the new carol', { to: 'carol' });
    await sleep(300);
    assert.equal(rx.hits.length, 1, 'the new code did not inherit the old URL');
    assert.deepEqual(
      (await poll(b, again)).body.messages.map((m: any) => m.text),
      ['before', 'secret after revocation', 'broadcast after revocation', 'to the new carol'],
    );
  });

  it('silences the webhook of an expired code, and the new code does not inherit it', async (t) => {
    const b = await startBridge(t, LOCAL);
    const short = await b.invite('erin', 'exp', { expires: '0.0003' }); // about a second
    const talker = await b.invite('talker', 'exp');
    const rx = await receiver(t);
    assert.equal(
      (await b.call('POST', '/webhook', { code: short, body: { url: rx.url, include_text: true } })).status,
      200,
    );
    await sleep(1300);
    assert.equal((await b.call('GET', '/whoami', { code: short })).status, 401);
    await post(b, talker, 'after expiry', { to: 'erin' });
    await sleep(400);
    assert.equal(rx.hits.length, 0);
    const hooks = (await b.call('GET', '/admin/webhooks', { admin: true })).body.webhooks;
    assert.ok(
      hooks.every((h: any) => !(h.name === 'erin' && h.active)),
      JSON.stringify(hooks),
    );
    await b.invite('erin', 'exp');
    assert.deepEqual((await b.call('GET', '/admin/webhooks', { admin: true })).body.webhooks, []);
  });

  it('ends an open stream with an exit event within a second of revocation, delivering nothing after', async (t) => {
    const b = await startBridge(t);
    const me = await b.invite('watcher', 'sse');
    const talker = await b.invite('talker', 'sse');
    const s = await openStream(b, me);
    t.after(() => s.close());
    await post(b, talker, 'before');
    await until(() => s.events.length === 1, 2000, 'the first message');
    await b.call('POST', '/admin/revoke', { admin: true, body: { target: 'watcher' } });
    const took = await until(() => s.ended, 1000, 'the stream to end');
    assert.ok(took < 1000);
    for (let i = 0; i < 5; i++) await post(b, talker, `after ${i}`, i === 0 ? { to: 'watcher' } : {});
    const last = s.events.at(-1);
    assert.equal(last?.event, 'exit');
    assert.deepEqual([last?.data.should_exit, last?.data.exit_reason], [true, 'access_revoked']);
    assert.ok(!s.events.some((e) => String(e.data.text ?? '').startsWith('after')));
  });

  it('answers a parked long-poll 401 within a second of revocation', async (t) => {
    const b = await startBridge(t);
    const me = await b.invite('parker', 'lp');
    const t0 = Date.now();
    const parked = poll(b, me, 0, 25);
    await sleep(150);
    assert.equal(b.running.ctx.live.wakeups.parkedCount(), 1);
    await b.call('POST', '/admin/revoke', { admin: true, body: { target: 'parker' } });
    const r = await parked;
    assert.equal(r.status, 401);
    assert.equal(r.body.reason, 'access_revoked');
    assert.ok(Date.now() - t0 < 1500);
    assert.equal(b.running.ctx.live.wakeups.parkedCount(), 0);
  });

  it('ends a parked poll, a stream and an MCP wait when the code expires', async (t) => {
    const b = await startBridge(t);
    const code = await b.invite('ephemeral', 'ttl', { expires: '0.0004' }); // about 1.4 s
    const t0 = Date.now();
    const parked = poll(b, code, 0, 25);
    const s = await openStream(b, code);
    t.after(() => s.close());
    const { client } = await mcpClient(t, b.url, code);
    const waited = client.callTool({ name: 'wait_for_messages', arguments: { wait_seconds: 20 } });
    const r = await parked;
    assert.equal(r.status, 401);
    assert.equal(r.body.reason, 'code_expired');
    await until(() => s.ended, 1500, 'the stream to end');
    assert.equal(s.events.at(-1)?.data.exit_reason, 'code_expired');
    const w = (await waited) as { isError?: boolean; content: Array<{ text: string }> };
    assert.equal(w.isError, true);
    assert.match(w.content[0].text, /expired/);
    assert.ok(Date.now() - t0 < 3500, `ended ${Date.now() - t0} ms after start`);
  });

  it('ends an MCP wait within a second of revocation', async (t) => {
    const b = await startBridge(t);
    const code = await b.invite('mcp-waiter', 'mcp');
    const { client } = await mcpClient(t, b.url, code);
    const waited = client.callTool({ name: 'wait_for_messages', arguments: { wait_seconds: 20 } });
    await sleep(200);
    const t0 = Date.now();
    await b.call('POST', '/admin/revoke', { admin: true, body: { target: code } });
    const w = (await waited) as { isError?: boolean; content: Array<{ text: string }> };
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(w.isError, true);
    assert.match(w.content[0].text, /revoked/);
  });

  it('leaves the readers of another code of the same agent running', async (t) => {
    const b = await startBridge(t);
    const first = await b.invite('twin', 'two-codes');
    const second = await b.invite('twin', 'two-codes');
    const talker = await b.invite('talker', 'two-codes');
    const parked = poll(b, second, 0, 25);
    await sleep(100);
    await b.call('POST', '/admin/revoke', { admin: true, body: { target: first } });
    await sleep(200);
    await post(b, talker, 'still here?');
    const r = await parked;
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.body.messages.map((m: any) => m.text),
      ['still here?'],
    );
  });

  it('ends waiting readers when the CLI revokes straight in the data directory', async (t) => {
    const b = await startBridge(t);
    const me = await b.invite('local', 'cli');
    const talker = await b.invite('talker', 'cli');
    const parked = poll(b, me, 0, 25);
    const s = await openStream(b, me);
    t.after(() => s.close());
    await sleep(150);
    const { main } = await import('../../src/cli/main.js');
    let out = '';
    // Port 1: no bridge answers there, so the CLI revokes on the database itself.
    const code = await main(['revoke', 'local'], {
      stdout: (x) => {
        out += x;
      },
      stderr: (x) => {
        out += x;
      },
      env: { ARGYBARGY_DATA: b.dir, ARGYBARGY_PORT: '1' },
    });
    assert.equal(code, 0, out);
    const t0 = Date.now();
    const r = await parked;
    assert.equal(r.status, 401);
    await until(() => s.ended, 1500, 'the stream to end');
    assert.ok(Date.now() - t0 < 1500);
    await post(b, talker, 'after');
    assert.ok(!s.events.some((e) => e.data.text === 'after'));
  });

  it('cuts off a stream whose reader stopped reading when its code is revoked', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_RATE_MAX: '0' });
    const me = await b.invite('stalled', 'slow');
    const writer = await b.invite('writer', 'slow');
    const text = '\u0001'.repeat(7990);
    for (let i = 0; i < 120; i++) await post(b, writer, text);
    const u = new URL(b.url);
    const { connect } = await import('node:net');
    const socket = connect(Number(u.port), u.hostname);
    socket.on('error', () => undefined);
    let closed = false;
    socket.on('close', () => {
      closed = true;
    });
    socket.write(`GET /messages/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${me}\r\n\r\n`);
    socket.pause(); // never reads: the bridge's writes back up
    await sleep(500);
    const parked = () => b.running.ctx.live.wakeups.parkedCount();
    assert.equal(parked(), 1, 'the stream is open, its writes blocked');
    await b.call('POST', '/admin/revoke', { admin: true, body: { target: 'stalled' } });
    await until(() => parked() === 0, 1500, 'the stream to be cut');
    socket.resume();
    await until(() => closed, 3000, 'the connection to close');
  });

  it('tells a caller with an expired code so, without counting it as a guess', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_AUTH_FAILURES: '2' });
    const old = await b.invite('old', 'exp', { expires: '0.0001' }); // a third of a second
    await sleep(500);
    for (let i = 0; i < 5; i++) {
      const r = await b.call('GET', '/whoami', { code: old, headers: { 'x-forwarded-for': '203.0.113.50' } });
      assert.deepEqual([r.status, r.body.reason], [401, 'code_expired']);
      assert.match(r.body.detail, /Authorization: Bearer/);
    }
  });

  it('revokes a name in one room only when asked to', async (t) => {
    const b = await startBridge(t);
    const here = await b.invite('twin', 'here');
    const there = await b.invite('twin', 'there');
    const r = await b.call('POST', '/admin/revoke', { admin: true, body: { target: 'twin', room: 'there' } });
    assert.equal(r.body.revoked, 1);
    assert.equal((await b.call('GET', '/whoami', { code: there })).status, 401);
    assert.equal((await b.call('GET', '/whoami', { code: here })).status, 200);
  });
});
