import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { post, sleep, startBridge } from '../helpers.js';
import { receiver } from '../support/receiver.js';

/** A receiver answering the n-th request with `statusFor(n)` (0: never answers). */
const statusReceiver = (t: TestContext, statusFor: (n: number) => number = () => 200) =>
  receiver(t, (_req, res, n) => {
    const status = statusFor(n);
    if (status !== 0) res.writeHead(status).end();
  });

/** The receivers in these tests listen on 127.0.0.1, which webhooks may reach only when allowed. */
const LOCAL = { ARGYBARGY_WEBHOOK_PRIVATE: '1' };

async function until(cond: () => boolean, ms: number) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await sleep(10);
  }
}

describe('webhooks', () => {
  it('delivers a correctly signed notice within a second, only to agents who may see the message', async (t) => {
    const b = await startBridge(t, LOCAL);
    const me = await b.invite('sleeper', 'hooks');
    const other = await b.invite('talker', 'hooks');
    const rx = await statusReceiver(t);
    const reg = await b.call('POST', '/webhook', { code: me, body: { url: rx.url } });
    assert.equal(reg.status, 200);
    assert.equal(reg.body.url, rx.url);
    const secret = reg.body.secret as string;
    assert.ok(secret.length >= 32);

    const sentAt = performance.now();
    await post(b, other, 'wake up, sleeper', { expects_reply: 'anyone' });
    await until(() => rx.hits.length === 1, 1000);
    assert.ok(rx.hits[0].at - sentAt < 1000);
    const hit = rx.hits[0];
    const notice = JSON.parse(hit.body);
    assert.deepEqual(
      {
        event: notice.event,
        room: notice.room,
        seq: notice.seq,
        from: notice.from,
        to: notice.to,
        expects: notice.expects_reply,
      },
      { event: 'message', room: 'hooks', seq: 1, from: 'talker', to: 'all', expects: 'anyone' },
    );
    assert.equal(notice.text, undefined, 'no text unless asked');
    const ts = String(hit.headers['x-argybargy-timestamp']);
    const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${hit.body}`).digest('hex')}`;
    assert.equal(hit.headers['x-argybargy-signature'], expected);

    await post(b, me, 'my own message');
    await post(b, other, 'a DM elsewhere', { to: 'somebody' });
    await post(b, other, 'a DM for me', { to: 'sleeper' });
    await until(() => rx.hits.length === 2, 1000);
    await sleep(200);
    assert.equal(rx.hits.length, 2, 'nothing for its own post or for a DM to someone else');
    assert.equal(JSON.parse(rx.hits[1].body).to, 'sleeper');

    const del = await b.call('DELETE', '/webhook', { code: me });
    assert.deepEqual(del.body, { ok: true, removed: true });
    await post(b, other, 'after removal');
    await sleep(300);
    assert.equal(rx.hits.length, 2);
  });

  it('includes the text when asked, and refuses URLs that are not http(s)', async (t) => {
    const b = await startBridge(t, LOCAL);
    const me = await b.invite('me', 'txt');
    const other = await b.invite('other', 'txt');
    const rx = await statusReceiver(t);
    await b.call('POST', '/webhook', { code: me, body: { url: rx.url, include_text: true } });
    await post(b, other, 'full text 🤖');
    await until(() => rx.hits.length === 1, 1000);
    assert.equal(JSON.parse(rx.hits[0].body).text, 'full text 🤖');
    for (const url of ['ftp://example.com/x', 'file:///etc/passwd', 'not a url', 'http://user:pw@example.com/']) {
      const r = await b.call('POST', '/webhook', { code: me, body: { url } });
      assert.equal(r.status, 400, url);
    }
    assert.equal((await b.call('POST', '/webhook', { body: { url: rx.url } })).status, 401);
  });

  it('retries a receiver that fails twice and gets the third attempt through', async (t) => {
    const b = await startBridge(t, LOCAL);
    const me = await b.invite('me', 'retry');
    const other = await b.invite('other', 'retry');
    const rx = await statusReceiver(t, (n) => (n <= 2 ? 503 : 200));
    await b.call('POST', '/webhook', { code: me, body: { url: rx.url } });
    await post(b, other, 'please arrive');
    await until(() => rx.hits.length === 3, 6000);
    assert.deepEqual(
      rx.hits.map((h) => h.headers['x-argybargy-attempt']),
      ['1', '2', '3'],
    );
    assert.ok(rx.hits[1].at - rx.hits[0].at >= 900, 'backs off before retrying');
    assert.ok(rx.hits[2].at - rx.hits[1].at >= 1900, 'and longer the next time');
    await sleep(1200);
    assert.equal(rx.hits.length, 3, 'no more after a success');
  });

  it('never slows POST /messages, even with a receiver that hangs or is gone', async (t) => {
    const b = await startBridge(t, { ...LOCAL, ARGYBARGY_RATE_MAX: '0' });
    const hang = await statusReceiver(t, () => 0);
    const names = ['h1', 'h2', 'h3', 'dead'];
    for (const n of names) {
      const code = await b.invite(n, 'slow');
      const url = n === 'dead' ? 'http://127.0.0.1:1/nothing-here' : hang.url;
      await b.call('POST', '/webhook', { code, body: { url } });
    }
    const talker = await b.invite('talker', 'slow');
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const r = await post(b, talker, `msg ${i}`);
      times.push(performance.now() - t0);
      assert.equal(r.status, 200);
    }
    times.sort((x, y) => x - y);
    assert.ok(times[18] < 100, `posts stayed fast: ${times.map((x) => x.toFixed(1)).join(', ')}`);
  });
});
