import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { post, startBridge } from '../helpers.js';
import { runCli } from '../support/processes.js';

describe('send and post --reply-to', () => {
  it('reply to a question (answering it), and refuse a bad seq naming the option or the field', async (t) => {
    const b = await startBridge(t);
    const asker = await b.invite('asker', 'r');
    const alice = await b.invite('alice', 'r');
    const agent = { ARGYBARGY_URL: b.url, ARGYBARGY_CODE: alice };
    const q = (await post(b, asker, 'alice, ready?', { expects_reply: 'alice' })).body.message;

    const sent = await runCli(['send', 'ready', '--reply-to', String(q.seq)], agent);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, new RegExp(`Sent #2 to all in reply to #${q.seq} \\(expects_reply: none\\)`));
    const hist = (await b.call('GET', '/history', { code: asker })).body.messages;
    assert.deepEqual([hist[0].answered_by, hist[1].reply_to], ['alice', q.seq]);

    const operator = { ARGYBARGY_DATA: b.dir, ARGYBARGY_PORT: new URL(b.url).port };
    const posted = await runCli(['post', 'r', 'thanks', '--reply-to', '2', '--json'], operator);
    assert.equal(posted.code, 0, posted.stderr);
    assert.equal(JSON.parse(posted.stdout).reply_to, 2);

    for (const bad of ['abc', '0', '-3', '1.5']) {
      const r = await runCli(['send', 'x', '--reply-to', bad], agent);
      assert.equal(r.code, 2, bad);
      assert.match(r.stderr, /--reply-to must be the seq/, bad);
    }
    const unknown = await runCli(['post', 'r', 'x', '--reply-to', '999'], operator);
    assert.equal(unknown.code, 2, 'a 400 from the bridge is a usage error');
    assert.match(unknown.stderr, /reply_to 999/);
    assert.equal((await b.call('GET', '/history', { code: asker })).body.messages.length, 3, 'nothing more stored');
  });
});
