import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { poll, post, startBridge, type TestBridge } from '../helpers.js';
import { mcpClient } from '../support/mcp.js';

const connect = (t: TestContext, b: TestBridge, code: string) => mcpClient(t, b.url, code);

describe('MCP endpoint', () => {
  it('lists the tools with descriptions and schemas, and the house rules', async (t) => {
    const b = await startBridge(t);
    const { client } = await connect(t, b, await b.invite('m', 'r'));
    const tools = (await client.listTools()).tools;
    assert.deepEqual(tools.map((x) => x.name).sort(), [
      'claim',
      'history',
      'peers',
      'send',
      'thread',
      'wait_for_messages',
      'whoami',
    ]);
    for (const tool of tools) assert.ok(tool.description && tool.description.length > 20, tool.name);
    const wait = tools.find((x) => x.name === 'wait_for_messages');
    assert.deepEqual(Object.keys(wait?.inputSchema.properties ?? {}).sort(), ['since', 'wait_seconds']);
    const send = tools.find((x) => x.name === 'send');
    assert.deepEqual(send?.inputSchema.required, ['text']);
    const prompt = await client.getPrompt({ name: 'house_rules' });
    assert.match(JSON.stringify(prompt.messages), /claim/);
    const res = await client.readResource({ uri: 'argybargy://house-rules' });
    assert.match(String((res.contents[0] as { text: string }).text), /should_exit/);
  });

  it('sends through MCP to REST and from REST to MCP, continuing from its own cursor', async (t) => {
    const b = await startBridge(t);
    const mcpCode = await b.invite('mcp-agent', 'mix', { capabilities: 'speaks MCP' });
    const rest = await b.invite('rest-agent', 'mix');
    const { call } = await connect(t, b, mcpCode);
    assert.deepEqual((await call('whoami')).data, { name: 'mcp-agent', room: 'mix', capabilities: 'speaks MCP' });
    const sent = await call('send', { text: 'hello from MCP', to: 'rest-agent' });
    assert.equal(sent.data.message.expects_reply, 'rest-agent');
    assert.deepEqual(sent.data.warnings, []);
    const stray = await call('send', { text: 'anyone there?', to: 'rest-agnet' });
    assert.deepEqual(
      stray.data.warnings.map((w: any) => [w.warning, w.field, w.name]),
      [['not_a_member', 'to', 'rest-agnet']],
      'accepted, with a warning naming the stranger',
    );
    assert.match(stray.data.warnings[0].detail, /members: mcp-agent, rest-agent/);
    assert.deepEqual(
      (await poll(b, rest)).body.messages.map((m: any) => m.text),
      ['hello from MCP'],
    );
    const reserved = await call('send', { text: 'all of you? (before they speak)', expects_reply: 'all' });
    assert.deepEqual(
      reserved.data.warnings.map((w: any) => [w.warning, w.field, w.name]),
      [['reserved_name', 'expects_reply', 'all']],
      "expects_reply 'all' waits on nobody, and says so",
    );
    await poll(b, rest);
    await post(b, rest, 'one');
    await post(b, rest, 'two');
    const first = await call('wait_for_messages', { wait_seconds: 5 });
    assert.deepEqual(
      first.data.messages.map((m: any) => m.text),
      ['one', 'two'],
    );
    assert.equal(first.data.should_exit, false);
    await post(b, rest, 'three');
    const second = await call('wait_for_messages', {});
    assert.deepEqual(
      second.data.messages.map((m: any) => m.text),
      ['three'],
      'no since: carries on from the stored cursor',
    );
    const replay = await call('wait_for_messages', { since: 0, wait_seconds: 0 });
    assert.deepEqual(
      replay.data.messages.map((m: any) => m.text),
      ['one', 'two', 'three'],
      'an explicit since wins',
    );
    const peers = await call('peers');
    assert.deepEqual(
      peers.data.peers.map((p: any) => p.name),
      ['mcp-agent', 'rest-agent'],
    );
    const hist = await call('history', { limit: 2 });
    assert.deepEqual(
      hist.data.messages.map((m: any) => m.text),
      ['two', 'three'],
    );
  });

  it('parks wait_for_messages and wakes it on a post', async (t) => {
    const b = await startBridge(t);
    const { call } = await connect(t, b, await b.invite('waiter', 'w'));
    const other = await b.invite('poster', 'w');
    await call('wait_for_messages', { wait_seconds: 0 });
    const started = performance.now();
    const parked = call('wait_for_messages', { wait_seconds: 20 });
    await new Promise((r) => setTimeout(r, 300));
    await post(b, other, 'wake up');
    const got = await parked;
    assert.deepEqual(
      got.data.messages.map((m: any) => m.text),
      ['wake up'],
    );
    assert.ok(performance.now() - started < 5000);
  });

  it('lets exactly one of an MCP agent and a REST agent win a claim race', async (t) => {
    const b = await startBridge(t);
    const asker = await b.invite('asker', 'race');
    const mcpCode = await b.invite('mcp-claimer', 'race');
    const rest = await b.invite('rest-claimer', 'race');
    const { call } = await connect(t, b, mcpCode);
    for (let round = 0; round < 5; round++) {
      const seq = (await post(b, asker, `q${round}`, { expects_reply: 'anyone' })).body.message.seq;
      const [viaMcp, viaRest] = await Promise.all([
        call('claim', { seq }),
        b.call('POST', `/messages/${seq}/claim`, { code: rest }),
      ]);
      const wins = [viaMcp.data.won, viaRest.status === 200].filter(Boolean).length;
      assert.equal(wins, 1, `round ${round}`);
      assert.equal(viaMcp.data.claimed_by, viaRest.body.claimed_by);
    }
  });

  for (const era of ['legacy', 'modern'] as const) {
    it(`refuses bad tool arguments with the bridge's JSON {error, detail}, naming the argument (${era})`, async (t) => {
      const b = await startBridge(t);
      const { call, client } = await mcpClient(t, b.url, await b.invite('m', 'args'), era);
      const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
        ['send', { text: '' }, 'text', />=1 characters/],
        ['send', {}, 'text', /expected string/],
        ['send', { text: 'x', reply_to: 1.5 }, 'reply_to', /int/],
        ['claim', { seq: -1 }, 'seq', />=1/],
        ['thread', { seq: 'one' }, 'seq', /expected number/],
        ['wait_for_messages', { wait_seconds: -3 }, 'wait_seconds', />=0/],
        ['wait_for_messages', { since: -1 }, 'since', />=0/],
        ['history', { limit: 0 }, 'limit', />=1/],
      ];
      for (const [tool, args, arg, allowed] of cases) {
        const r = await call(tool, args);
        const text = r.content[0]?.text ?? '';
        assert.equal(r.isError, true, `${tool} ${JSON.stringify(args)}`);
        assert.doesNotMatch(text, /Input validation error/);
        const body = JSON.parse(text);
        assert.deepEqual(Object.keys(body).sort(), ['detail', 'error'], text);
        assert.equal(body.error, 'bad_request', text);
        assert.match(body.detail, new RegExp(`^Invalid arguments for ${tool}: ${arg}: `), text);
        assert.match(body.detail, allowed, text);
      }
      // Nothing was stored, and the tools still advertise their rules.
      assert.deepEqual((await b.call('GET', '/history', { code: await b.invite('n', 'args') })).body.messages, []);
      const send = (await client.listTools()).tools.find((x) => x.name === 'send');
      assert.equal((send?.inputSchema.properties ?? ({} as any)).text.minLength, 1);
      assert.deepEqual(send?.inputSchema.required, ['text']);
      const claim = (await client.listTools()).tools.find((x) => x.name === 'claim');
      assert.equal((claim?.inputSchema.properties ?? ({} as any)).seq.minimum, 1);
    });
  }

  it('reports refusals as tool errors and answers a wrong code with 401', async (t) => {
    const b = await startBridge(t);
    const code = await b.invite('m', 'shut');
    const { call } = await connect(t, b, code);
    await b.call('POST', '/admin/rooms/shut/close', { admin: true });
    const refused = await call('send', { text: 'late' });
    assert.equal(refused.isError, true);
    assert.match(JSON.stringify(refused.content), /room_closed/);
    const exit = await call('wait_for_messages', { wait_seconds: 10 });
    assert.deepEqual([exit.data.should_exit, exit.data.exit_reason], [true, 'room_closed']);
    const missing = await call('claim', { seq: 999 });
    assert.equal(missing.isError, true);

    for (const headers of [{}, { authorization: 'Bearer nope' }] as Array<Record<string, string>>) {
      const r = await fetch(`${b.url}/mcp`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      assert.equal(r.status, 401);
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer realm="argybargy"/, 'a bearer challenge');
      assert.equal((await r.json()).error, 'unauthorized');
    }
    // A client of the retired HTTP+SSE transport is pointed at Streamable HTTP.
    const get = await fetch(`${b.url}/mcp`, { headers: { authorization: `Bearer ${code}` } });
    assert.equal(get.status, 405);
    assert.match((await get.json()).error.message, /Streamable HTTP.*POST to http.*\/mcp/);
    const sse = await fetch(`${b.url}/sse`);
    assert.equal(sse.status, 404);
    assert.match((await sse.json()).detail, /Streamable HTTP/);
  });
});
