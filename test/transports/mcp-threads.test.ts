import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { post, startBridge } from '../helpers.js';
import { type Era, mcpClient } from '../support/mcp.js';

for (const era of ['legacy', 'modern'] as Era[]) {
  describe(`MCP threads and answers (${era})`, () => {
    it('send takes reply_to and answers the question; thread returns it; bad reply_to is a tool error naming it', async (t) => {
      const b = await startBridge(t);
      const asker = await b.invite('asker', 'r');
      const code = await b.invite('helper', 'r');
      await b.invite('other', 'r');
      const { call, client } = await mcpClient(t, b.url, code, era);
      const send = (await client.listTools()).tools.find((x) => x.name === 'send');
      assert.ok(send?.inputSchema.properties && 'reply_to' in send.inputSchema.properties);
      assert.match(send?.description ?? '', /reply_to/);

      const q = (await post(b, asker, 'helper, is the build green?', { expects_reply: 'helper' })).body.message;
      const sent = await call('send', { text: 'green', reply_to: q.seq });
      assert.equal(sent.isError, undefined, JSON.stringify(sent.content));
      assert.equal(sent.data.message.reply_to, q.seq);
      assert.equal(sent.data.message.answered_by, null);

      const th = await call('thread', { seq: sent.data.message.seq });
      assert.equal(th.data.room, 'r');
      assert.deepEqual([th.data.root.seq, th.data.root.answered_by], [q.seq, 'helper']);
      assert.match(th.data.root.answered_at, /\+00:00$/);
      assert.deepEqual(
        th.data.messages.map((m: any) => [m.seq, m.reply_to]),
        [
          [q.seq, null],
          [sent.data.message.seq, q.seq],
        ],
      );
      assert.equal(th.data.truncated, false);
      const waited = await call('wait_for_messages', { wait_seconds: 0 });
      assert.equal(waited.data.messages.find((m: any) => m.seq === q.seq).answered_by, 'helper');

      const claim = await call('claim', { seq: q.seq });
      assert.deepEqual(claim.data, {
        won: false,
        claimed_by: 'helper',
        seq: q.seq,
        answered_by: 'helper',
        lease_expires_at: null,
      });

      const dm = (await post(b, asker, 'only for other', { to: 'other' })).body.message;
      for (const reply_to of [999, dm.seq]) {
        const bad = await call('send', { text: 'x', reply_to });
        assert.equal(bad.isError, true, String(reply_to));
        const body = JSON.parse(bad.content[0].text);
        assert.equal(body.error, 'bad_request');
        assert.match(body.detail, /reply_to/);
      }
      const zero = await call('send', { text: 'x', reply_to: 0 }).catch((e: Error) => ({
        isError: true,
        content: [{ type: 'text', text: e.message }],
        data: null,
      }));
      assert.equal(zero.isError, true);
      assert.match(zero.content[0].text, /reply_to/);
      const missing = await call('thread', { seq: dm.seq });
      assert.equal(missing.isError, true);
      assert.equal(JSON.parse(missing.content[0].text).error, 'not_found');
    });
  });
}
