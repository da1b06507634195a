import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import { poll, post, startBridge } from '../helpers.js';

describe('bad input', () => {
  it('answers every client mistake with a 4xx {error, detail} and stays healthy and writable', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a', 'r');
    const json = { 'content-type': 'application/json' };
    const cases: Array<[string, string, Parameters<typeof b.call>[2], number]> = [
      ['POST', '/messages', { code: a, raw: '{"text":', headers: json }, 400],
      ['POST', '/messages', { code: a, raw: '{text: "x"}', headers: json }, 400],
      [
        'POST',
        '/messages',
        { code: a, raw: new Uint8Array([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), headers: json },
        400,
      ],
      ['POST', '/messages', { code: a, raw: `{"text":"${'x'.repeat(200_000)}"}`, headers: json }, 413],
      ['POST', '/admin/say', { admin: true, raw: `{"text":"${'y'.repeat(200_000)}"}`, headers: json }, 413],
      ['GET', '/messages?since=-1', { code: a }, 400],
      ['GET', '/messages?since=abc', { code: a }, 400],
      ['GET', '/messages?since=1.5', { code: a }, 400],
      ['GET', '/messages?since=9007199254740993', { code: a }, 400],
      ['GET', '/messages?since=1e999', { code: a }, 400],
      ['GET', '/messages?wait=-1', { code: a }, 400],
      ['GET', '/messages?wait=soon', { code: a }, 400],
      ['GET', '/messages?since=1&since=2', { code: a }, 400],
      ['GET', '/history?limit=0', { code: a }, 400],
      ['POST', '/messages/18446744073709551616/claim', { code: a }, 400],
      ['GET', '/no/such/route', {}, 404],
      ['DELETE', '/messages', { code: a }, 404],
      [
        'POST',
        '/admin/invite',
        { admin: true, raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        400,
      ],
    ];
    for (const [method, path, opts, status] of cases) {
      const r = await b.call(method, path, opts);
      assert.equal(r.status, status, `${method} ${path} → ${r.status} ${r.text.slice(0, 200)}`);
      assert.equal(typeof r.body.error, 'string', `${method} ${path}`);
      assert.equal(typeof r.body.detail, 'string', `${method} ${path}`);
    }
    assert.equal((await b.call('GET', '/health')).status, 200);
    assert.equal((await post(b, a, 'still writable')).status, 200);
    assert.deepEqual(
      (await b.call('GET', '/history', { code: a })).body.messages.map((m: any) => m.text),
      ['still writable'],
    );
  });

  it('accepts a since beyond the newest seq and hands back a cursor that catches up', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a', 'r');
    const c = await b.invite('c', 'r');
    await post(b, a, 'one');
    const ahead = (await poll(b, c, 9_007_199_254_740_991)).body;
    assert.deepEqual(ahead.messages, []);
    assert.equal(ahead.cursor, 1);
    await post(b, a, 'two');
    assert.deepEqual(
      (await poll(b, c, ahead.cursor)).body.messages.map((m: any) => m.text),
      ['two'],
    );
  });

  it('survives a client that sends half a body and hangs up', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a');
    const u = new URL(`${b.url}/messages`);
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${a}`, 'content-type': 'application/json', 'content-length': '100' },
      });
      req.on('error', () => resolve());
      req.write('{"text":"half');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    assert.equal((await b.call('GET', '/health')).status, 200);
    assert.deepEqual((await b.call('GET', '/history', { code: a })).body.messages, []);
    assert.equal((await post(b, a, 'whole')).status, 200);
  });

  it('never answers 5xx to a burst of garbage', async (t) => {
    const b = await startBridge(t);
    const a = await b.invite('a');
    const junk = [
      '',
      '{}',
      '[',
      '{"text":{"$gt":""}}',
      '{"text":"ok","to":["x"]}',
      '\u0000',
      '{"__proto__":{"x":1},"text":"p"}',
      '9'.repeat(5000),
    ];
    const answers = await Promise.all(
      junk.map((raw) => b.call('POST', '/messages', { code: a, raw, headers: { 'content-type': 'application/json' } })),
    );
    for (const r of answers) assert.ok(r.status < 500, `${r.status} ${r.text}`);
    assert.equal(answers.filter((r) => r.status === 200).length, 1, 'only the prototype-key body is a valid message');
  });
});
