import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { startServer } from '../../src/app/server.js';
import { loadConfig } from '../../src/config.js';
import { loggableUrl, loggerOptions } from '../../src/log.js';
import { request, tempDir } from '../helpers.js';

describe('request logs never carry query-string values', () => {
  it('loggableUrl keeps the path, the keys and harmless values only', () => {
    assert.equal(loggableUrl('/messages'), '/messages');
    assert.equal(loggableUrl('/messages?since=4&wait=30'), '/messages?since=4&wait=30');
    assert.equal(
      loggableUrl('/messages?since=1&code=abc-secret&t=tok&token=x&admin_token=y&key=z&ticket=q'),
      '/messages?since=1&code=[redacted]&t=[redacted]&token=[redacted]&admin_token=[redacted]&key=[redacted]&ticket=[redacted]',
    );
    // A bare part, or a key that does not look like a parameter name, may itself be the secret.
    assert.equal(loggableUrl('/whoami?bare-secret-123'), '/whoami?[redacted]');
    assert.equal(loggableUrl('/whoami?a%20b=1'), '/whoami?[redacted]=[redacted]');
    assert.equal(loggableUrl('/x?'), '/x');
  });

  it('a bridge logging at debug writes no code or token sent in a query string, in request or error lines', async (t) => {
    const dir = tempDir(t);
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const config = loadConfig({ ARGYBARGY_DATA: dir, ARGYBARGY_PORT: '0', ARGYBARGY_LOG_LEVEL: 'debug' });
    const running = await startServer(config, {
      logger: { ...(await loggerOptions(config, { pretty: false })), stream },
    });
    t.after(() => running.close());
    const admin = await running.ctx.adminTokens.current();
    const code = (
      await request(running.url, 'POST', '/admin/invite', { adminToken: admin, body: { name: 'a', room: 'r' } })
    ).body.code as string;
    assert.ok(code);
    const enc = encodeURIComponent;
    const urls = [
      `/messages?since=0&code=${enc(code)}`,
      `/whoami?t=${enc(admin)}`,
      `/admin/state?token=${enc(admin)}`,
      `/admin/stats?admin_token=${enc(admin)}`,
      `/peers?key=${enc(code)}`,
      `/no/such/route?code=${enc(code)}`,
      `/whoami?${enc(code)}`,
    ];
    for (const u of urls) await request(running.url, 'GET', u, { code });
    await request(running.url, 'GET', `/admin/state?t=${enc(admin)}`, { adminToken: admin });

    // A request that fails inside the bridge is logged at error level: its line must not carry the query either.
    const realAuthenticate = running.bridge.authenticate.bind(running.bridge);
    running.bridge.authenticate = async () => {
      throw new Error('store unavailable');
    };
    const failed = await request(running.url, 'GET', `/whoami?code=${enc(code)}`, { code });
    assert.equal(failed.status, 500);
    running.bridge.authenticate = realAuthenticate;
    await running.close();

    assert.ok(
      lines.some((l) => l.includes('"level":50') && l.includes('request failed')),
      'the failure was logged',
    );
    assert.ok(
      lines.some((l) => l.includes('/messages?since=0&code=[redacted]')),
      'the path and keys stay visible',
    );
    const all = lines.join('\n');
    for (const secret of [code, admin, enc(code), enc(admin)]) {
      assert.ok(!all.includes(secret), `a secret from a query string reached the log: ${secret.slice(0, 6)}…`);
    }
  });
});
