import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startBridge } from '../helpers.js';
import { runCli } from '../support/processes.js';

describe('send and post --claim-lease', () => {
  it('asks with a claim lease of its own, and refuses a bad value naming the option', async (t) => {
    const b = await startBridge(t);
    const alice = await b.invite('alice', 'r');
    const bob = await b.invite('bob', 'r');
    const agent = { ARGYBARGY_URL: b.url, ARGYBARGY_CODE: alice };
    const sent = await runCli(['send', 'who?', '--expects', 'anyone', '--claim-lease', '90', '--json'], agent);
    assert.equal(sent.code, 0, sent.stderr);
    const q = JSON.parse(sent.stdout);
    const before = Date.now();
    const won = await b.call('POST', `/messages/${q.seq}/claim`, { code: bob });
    const lapses = Date.parse(won.body.lease_expires_at);
    assert.ok(lapses >= before + 88_000 && lapses <= Date.now() + 91_000, won.text);

    const operator = { ARGYBARGY_DATA: b.dir, ARGYBARGY_PORT: new URL(b.url).port };
    const posted = await runCli(
      ['post', 'r', 'anyone?', '--expects', 'anyone', '--claim-lease', '0', '--json'],
      operator,
    );
    assert.equal(posted.code, 0, posted.stderr);
    const forever = await b.call('POST', `/messages/${JSON.parse(posted.stdout).seq}/claim`, { code: bob });
    assert.equal(forever.body.lease_expires_at, null);

    for (const bad of ['abc', '-3', '1.5', '10m']) {
      const r = await runCli(['send', 'x', '--claim-lease', bad], agent);
      assert.equal(r.code, 2, bad);
      assert.match(r.stderr, /--claim-lease must be whole seconds/, bad);
    }
    const huge = await runCli(['send', 'x', '--expects', 'anyone', '--claim-lease', '9999999999'], agent);
    assert.equal(huge.code, 2, 'a 400 from the bridge is a usage error');
    assert.match(huge.stderr, /claim_lease/);
  });
});
