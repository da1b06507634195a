import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInput } from '../../src/domain/errors.js';
import { Outbound, RefusedAddress } from '../../src/services/outbound.js';
import { post, sleep, startBridge } from '../helpers.js';
import { receiver } from '../support/receiver.js';

async function until(cond: () => boolean, ms: number, what: string) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const LOCAL = { ARGYBARGY_WEBHOOK_PRIVATE: '1', ARGYBARGY_RATE_MAX: '0' };

describe('webhooks cannot be turned against the bridge', () => {
  it('reads only the start of a reply, however much the receiver sends', async (t) => {
    const b = await startBridge(t, LOCAL);
    const me = await b.invite('sink', 'big');
    const talker = await b.invite('talker', 'big');
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const rx = await receiver(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      // An endless reply: it only stops when the bridge hangs up.
      const pump = () => {
        while (res.write(chunk)) if (res.destroyed) return;
        res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
    assert.equal((await b.call('POST', '/webhook', { code: me, body: { url: rx.url } })).status, 200);
    const before = process.memoryUsage().rss;
    await post(b, talker, 'one');
    await until(() => rx.hits.length === 1, 2000, 'the first notice');
    await post(b, talker, 'two');
    await until(() => rx.hits.length === 2, 2000, 'the second notice, without waiting on the first reply');
    const grew = (process.memoryUsage().rss - before) / 2 ** 20;
    assert.ok(grew < 64, `memory grew ${grew.toFixed(0)} MB`);
    const hook = (await b.call('GET', '/admin/webhooks', { admin: true })).body.webhooks[0];
    assert.equal(hook.status, 'ok');
  });

  it("gives each webhook its own lane: a receiver that never answers delays nobody else's notices", async (t) => {
    const b = await startBridge(t, LOCAL);
    const tarpit = await receiver(t, () => undefined); // accepts, never answers
    const fine = await receiver(t, (_req, res) => res.writeHead(204).end());
    const stuck = await b.invite('stuck', 'slow-room');
    const slowTalker = await b.invite('talker', 'slow-room');
    const quick = await b.invite('quick', 'quick-room');
    const quickTalker = await b.invite('talker', 'quick-room');
    await b.call('POST', '/webhook', { code: stuck, body: { url: tarpit.url } });
    await b.call('POST', '/webhook', { code: quick, body: { url: fine.url } });
    for (let i = 0; i < 100; i++) await post(b, slowTalker, `flood ${i}`);
    await sleep(100);
    const t0 = Date.now();
    await post(b, quickTalker, 'for the quick one');
    await until(() => fine.hits.length === 1, 1000, "the other room's notice");
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(tarpit.hits.length, 1, 'the stuck webhook has one delivery in flight, no more');
    const lanes = (await b.call('GET', '/admin/webhooks', { admin: true })).body.webhooks;
    const stuckLane = lanes.find((h: any) => h.name === 'stuck');
    assert.ok(stuckLane.queued <= 100, `queued ${stuckLane.queued}`);
  });

  it('pauses a receiver that fails every attempt, shows it to the operator, and lets the operator remove it', async (t) => {
    const b = await startBridge(t, LOCAL, { webhookRetryMs: [10, 10, 10, 10] });
    const dead = await receiver(t, (_req, res) => res.writeHead(500).end());
    const me = await b.invite('broken', 'fail');
    const talker = await b.invite('talker', 'fail');
    await b.call('POST', '/webhook', { code: me, body: { url: `${dead.url}?token=s3cret` } });
    await post(b, talker, 'first');
    await until(() => dead.hits.length === 5, 2000, 'five attempts');
    await sleep(100);
    const [hook] = (await b.call('GET', '/admin/webhooks', { admin: true })).body.webhooks;
    assert.equal(hook.status, 'paused');
    assert.equal(hook.last_error, 'answered 500');
    assert.ok(Date.parse(hook.paused_until) - Date.now() > 50_000);
    assert.ok(!hook.url.includes('s3cret'), 'the query string is not shown');
    const state = (await b.call('GET', '/admin/state', { admin: true })).body;
    assert.equal(state.webhooks[0].status, 'paused', '/admin/state shows webhooks too');
    await post(b, talker, 'while paused');
    await sleep(200);
    assert.equal(dead.hits.length, 5, 'nothing is sent while paused');
    const rm = await b.call('DELETE', '/admin/webhooks?room=fail&name=broken', { admin: true });
    assert.deepEqual(rm.body, { removed: true });
    assert.deepEqual((await b.call('GET', '/admin/webhooks', { admin: true })).body.webhooks, []);
    const audit = (await b.call('GET', '/admin/audit?class=operator', { admin: true })).body.events;
    assert.ok(audit.some((e: any) => e.action === 'webhook_deleted' && e.room === 'fail' && e.detail === 'broken'));
  });

  it('sends an exit notice when the room closes', async (t) => {
    const b = await startBridge(t, LOCAL);
    const rx = await receiver(t, (_req, res) => res.writeHead(200).end());
    const me = await b.invite('leaver', 'closing');
    await b.call('POST', '/webhook', { code: me, body: { url: rx.url } });
    await b.call('POST', '/admin/rooms/closing/close', { admin: true, body: { by: 'titus' } });
    await until(() => rx.hits.length === 1, 2000, 'the exit notice');
    const notice = JSON.parse(rx.hits[0].body);
    assert.deepEqual(
      [notice.event, notice.room, notice.should_exit, notice.exit_reason, notice.closed_by],
      ['exit', 'closing', true, 'room_closed', 'titus'],
    );
  });

  it('refuses loopback, private, link-local and metadata addresses in every spelling, by default', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_RATE_MAX: '0' });
    const me = await b.invite('ssrf', 'ssrf');
    for (const url of [
      'http://127.0.0.1:8765/admin/state',
      'http://localhost:8765/',
      'http://[::1]:8765/',
      'http://[::ffff:127.0.0.1]/',
      'http://0x7f000001:8765/',
      'http://2130706433:8765/',
      'http://0177.0.0.1/',
      'http://127.1/',
      'http://0.0.0.0/',
      'http://10.0.0.5/',
      'http://192.168.1.1/',
      'http://172.16.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'http://100.64.0.1/',
      'http://[::127.0.0.1]/',
      'http://[0:0:0:0:0:0:7f00:1]/',
    ]) {
      const r = await b.call('POST', '/webhook', { code: me, body: { url } });
      assert.equal(r.status, 400, url);
      assert.match(r.body.detail, /private, loopback or special address|does not resolve/, url);
    }
    assert.deepEqual((await b.call('GET', '/admin/webhooks', { admin: true })).body.webhooks, []);
  });

  it('checks the address actually connected to, so a name that resolves somewhere private later is refused', async (t) => {
    const rx = await receiver(t, (_req, res) => res.writeHead(200).end());
    const strict = new Outbound(false);
    t.after(() => strict.close());
    await assert.rejects(strict.check(`http://localhost:${rx.port}/`), InvalidInput);
    // As if the name had resolved to a public address when it was registered:
    await assert.rejects(strict.post(`http://localhost:${rx.port}/hook`, {}, '{}'), /private, loopback or special/);
    await assert.rejects(strict.post(`http://127.0.0.1:${rx.port}/hook`, {}, '{}'), RefusedAddress);
    assert.equal(rx.hits.length, 0);
    const open = new Outbound(true);
    t.after(() => open.close());
    assert.equal(await open.post(`http://localhost:${rx.port}/hook`, {}, '{}'), 200);
  });

  it('does not follow redirects', async (t) => {
    const b = await startBridge(t, LOCAL, { webhookRetryMs: [10] });
    const target = await receiver(t, (_req, res) => res.writeHead(200).end());
    const redirector = await receiver(t, (_req, res) => res.writeHead(307, { location: target.url }).end());
    const me = await b.invite('redir', 'redir');
    const talker = await b.invite('talker', 'redir');
    await b.call('POST', '/webhook', { code: me, body: { url: redirector.url } });
    await post(b, talker, 'x');
    await until(() => redirector.hits.length === 2, 2000, 'both attempts');
    await sleep(100);
    assert.equal(target.hits.length, 0);
    const [hook] = (await b.call('GET', '/admin/webhooks', { admin: true })).body.webhooks;
    assert.equal(hook.last_error, 'answered 307');
  });

  it('counts refused registrations against the rate limit too, and never names what a host resolves to', async (t) => {
    const b = await startBridge(t, { ARGYBARGY_RATE_MAX: '3', ARGYBARGY_RATE_WINDOW: '60' });
    const me = await b.invite('prober', 'probe');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await b.call('POST', '/webhook', { code: me, body: { url: `http://localhost:${9000 + i}/` } });
      statuses.push(r.status);
      if (r.status === 400) assert.ok(!/127\.0\.0\.1|::1/.test(r.body.detail), r.body.detail);
    }
    assert.deepEqual(statuses, [400, 400, 400, 429, 429]);
  });
});
