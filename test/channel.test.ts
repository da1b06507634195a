import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { messageEvent, metaOf } from '../src/channel/events.js';
import { post, sleep, startBridge, type TestBridge, tempDir } from './helpers.js';
import { BIN, runCli } from './support/processes.js';

interface Pushed {
  content: string;
  meta: Record<string, string>;
}

/** Waits until `pred` holds, polling every 20 ms; fails after `ms`. */
async function until(pred: () => boolean, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * `argybargy channel` (the built CLI) under the MCP SDK's stdio client, as Claude
 * Code runs it: every `notifications/claude/channel` it pushes is collected.
 */
async function startChannel(
  t: TestContext,
  o: { url: string; code: string; stateDir: string; grace?: string; connect?: boolean },
) {
  const client = new Client({ name: 'claude-code-stand-in', version: '1.0.0' });
  const pushed: Pushed[] = [];
  const others: unknown[] = [];
  client.fallbackNotificationHandler = async (n) => {
    if (n.method === 'notifications/claude/channel') pushed.push(n.params as unknown as Pushed);
    else others.push(n);
  };
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'channel', '--grace', o.grace ?? '0'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ARGYBARGY_URL: o.url,
      ARGYBARGY_CODE: o.code,
      ARGYBARGY_DATA: o.stateDir,
    },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => {
    stderr += d;
  });
  let protocolVersion = '';
  (transport as unknown as { setProtocolVersion: (v: string) => void }).setProtocolVersion = (v) => {
    protocolVersion = v;
  };
  await client.connect(transport);
  const child = (transport as unknown as { _process: ChildProcess })._process;
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  t.after(() => client.close());
  const messages = () => pushed.filter((p) => p.meta.kind === 'message');
  return {
    client,
    child,
    exited,
    pushed,
    others,
    messages,
    texts: () => messages().map((p) => p.content),
    stderr: () => stderr,
    protocolVersion: () => protocolVersion,
    call: async (name: string, args: Record<string, unknown> = {}) => {
      const r = (await client.callTool({ name, arguments: args })) as {
        isError?: boolean;
        content: Array<{ text: string }>;
        structuredContent?: any;
      };
      return { isError: r.isError === true, data: r.structuredContent, text: r.content[0]?.text ?? '' };
    },
  };
}

async function room(t: TestContext, env: Record<string, string> = {}) {
  const b = await startBridge(t, env);
  const alice = await b.invite('alice', 'r');
  const bob = await b.invite('bob', 'r');
  const carol = await b.invite('carol', 'r');
  return { b, alice, bob, carol, stateDir: tempDir(t) };
}

const admin = (b: TestBridge, path: string, body: unknown = {}) => b.call('POST', path, { admin: true, body });

describe('argybargy channel', () => {
  it('advertises claude/channel and instructions over 2025-11-25, pushes each visible message once, and serves the reply tools', async (t) => {
    const { b, alice, bob, carol, stateDir } = await room(t, { ARGYBARGY_MAX_TEXT: '100' });
    await post(b, bob, 'before the channel started');
    const ch = await startChannel(t, { url: b.url, code: alice, stateDir });

    assert.equal(ch.protocolVersion(), '2025-11-25');
    assert.deepEqual(ch.client.getServerCapabilities()?.experimental, { 'claude/channel': {} });
    const instructions = ch.client.getInstructions() ?? '';
    for (const part of ['"alice" in room "r"', '<channel', 'kind="message"', 'send tool', 'claim', 'exit_reason']) {
      assert.ok(instructions.includes(part), part);
    }
    const tools = (await ch.client.listTools()).tools.map((x) => x.name).sort();
    assert.deepEqual(tools, ['claim', 'history', 'peers', 'send', 'thread', 'whoami']);

    await post(b, bob, 'to everyone 🤖');
    await post(b, bob, 'just for alice', { to: 'alice' });
    await post(b, bob, 'just for carol', { to: 'carol' });
    await post(b, alice, 'alice speaking');
    await post(b, bob, 'who can review #42?', { expects_reply: 'anyone' });
    await until(() => ch.messages().length >= 4, 'four pushes');
    await sleep(300); // nothing else may follow
    assert.deepEqual(ch.texts(), [
      'before the channel started',
      'to everyone 🤖',
      'just for alice',
      'who can review #42?',
    ]);
    const [, broadcast, dm, question] = ch.messages();
    assert.deepEqual(broadcast.meta, {
      kind: 'message',
      room: 'r',
      seq: '2',
      from: 'bob',
      to: 'all',
      expects_reply: 'none',
      ts: broadcast.meta.ts,
    });
    assert.match(broadcast.meta.ts, /^\d{4}-\d\d-\d\dT/);
    assert.equal(dm.meta.to, 'alice');
    assert.equal(dm.meta.expects_reply, 'alice');
    assert.equal(question.meta.seq, '6');
    assert.equal(question.meta.expects_reply, 'anyone');
    for (const p of ch.pushed) {
      for (const [k, v] of Object.entries(p.meta)) {
        assert.match(k, /^[A-Za-z_][A-Za-z0-9_]*$/);
        assert.equal(typeof v, 'string');
      }
    }

    // send: another agent sees it; optional arguments may be null.
    const sent = await ch.call('send', { text: 'I can review it', to: null, expects_reply: null });
    assert.equal(sent.isError, false, sent.text);
    assert.equal(sent.data.message.from, 'alice');
    assert.deepEqual(sent.data.warnings, []);
    const typo = await ch.call('send', { text: 'all of you?', expects_reply: 'everyone' });
    assert.equal(typo.isError, false, typo.text);
    assert.deepEqual(
      typo.data.warnings.map((w: any) => [w.field, w.name]),
      [['expects_reply', 'everyone']],
    );
    const seen = await b.call('GET', '/messages?since=6', { code: bob });
    assert.deepEqual(
      seen.body.messages.map((m: any) => [m.from, m.text]),
      [
        ['alice', 'I can review it'],
        ['alice', 'all of you?'],
      ],
    );
    // claim: won, then lost to carol on another question.
    const { lease_expires_at: lease, ...claimed } = (await ch.call('claim', { seq: 6 })).data;
    assert.deepEqual(claimed, { won: true, claimed_by: 'alice', seq: 6 });
    assert.match(lease, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/, 'the claim is a lease');
    const q2 = (await post(b, bob, 'and #43?', { expects_reply: 'anyone' })).body.message.seq;
    assert.equal((await b.call('POST', `/messages/${q2}/claim`, { code: carol })).status, 200);
    const lost = await ch.call('claim', { seq: q2 });
    assert.equal(lost.isError, false);
    const { lease_expires_at: carolsLease, ...lostBody } = lost.data;
    assert.deepEqual(lostBody, { won: false, claimed_by: 'carol', seq: q2, answered_by: null });
    assert.equal(typeof carolsLease, 'string', "the loser learns when carol's lease lapses");
    // send with reply_to answers the question alice claimed; thread shows it answered.
    const answer = await ch.call('send', { text: 'LGTM', reply_to: 6 });
    assert.equal(answer.isError, false, answer.text);
    assert.equal(answer.data.message.reply_to, 6);
    const th = await ch.call('thread', { seq: answer.data.message.seq });
    assert.deepEqual([th.data.root.seq, th.data.root.answered_by], [6, 'alice']);
    assert.deepEqual(
      th.data.messages.map((m: any) => m.seq),
      [6, answer.data.message.seq],
    );
    const badReply = await ch.call('send', { text: 'x', reply_to: 999 });
    assert.equal(badReply.isError, true);
    assert.match(JSON.parse(badReply.text).detail, /reply_to/);
    // whoami, peers, history; a refusal is a tool error carrying the bridge's {error, detail}.
    assert.deepEqual((await ch.call('whoami')).data, { name: 'alice', room: 'r', capabilities: '' });
    assert.ok((await ch.call('peers')).data.peers.some((p: any) => p.name === 'bob'));
    const history = await ch.call('history', { limit: null });
    assert.ok(history.data.messages.some((m: any) => m.text === 'just for alice'));
    assert.ok(!history.data.messages.some((m: any) => m.text === 'just for carol'));
    const refused = await ch.call('send', { text: 'x'.repeat(101) });
    assert.equal(refused.isError, true);
    assert.equal(JSON.parse(refused.text).error, 'bad_request');
    assert.ok(JSON.parse(refused.text).detail);
    assert.equal((await ch.call('claim', { seq: 999 })).isError, true);
    // Bad arguments are refused the same way, naming the argument (not the SDK's plain text).
    for (const [tool, args, arg] of [
      ['send', { text: '' }, 'text'],
      ['claim', { seq: -1 }, 'seq'],
      ['thread', { seq: 'x' }, 'seq'],
      ['history', { limit: 0 }, 'limit'],
    ] as const) {
      const bad = await ch.call(tool, args);
      assert.equal(bad.isError, true, tool);
      const body = JSON.parse(bad.text);
      assert.equal(body.error, 'bad_request', bad.text);
      assert.match(body.detail, new RegExp(`^Invalid arguments for ${tool}: ${arg}: `), bad.text);
    }

    // The state file: 0600 in a 0700 directory, named by a hash (never the code).
    const dir = join(stateDir, 'channels');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const files = readdirSync(dir);
    assert.equal(files.filter((f) => f.endsWith('.json')).length, 1);
    for (const f of files) {
      assert.ok(!f.includes(alice));
      assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600);
    }
    assert.ok(!ch.stderr().includes(alice), 'the code is never logged');
  });

  it('loses nothing and repeats nothing across restarts of the channel (SIGTERM, stdin closed), including what was posted while it was down', async (t) => {
    const { b, alice, bob, stateDir } = await room(t);
    const seen: string[] = [];
    const first = await startChannel(t, { url: b.url, code: alice, stateDir });
    await post(b, bob, 'one');
    await post(b, bob, 'two');
    await until(() => first.messages().length === 2, 'two pushes');
    first.child.kill('SIGTERM');
    assert.deepEqual(await first.exited, { code: 0, signal: null });
    seen.push(...first.texts());

    await post(b, bob, 'three (while down)');
    await post(b, bob, 'four (while down)');
    const second = await startChannel(t, { url: b.url, code: alice, stateDir });
    await until(() => second.messages().length >= 2, 'the missed messages');
    await post(b, bob, 'five');
    await until(() => second.messages().length >= 3, 'a live message');
    await sleep(200);
    seen.push(...second.texts());
    await second.client.close(); // closes its stdin: it exits by itself, cleanly
    assert.deepEqual(await second.exited, { code: 0, signal: null });

    await post(b, bob, 'six (while down)');
    const third = await startChannel(t, { url: b.url, code: alice, stateDir });
    await until(() => third.messages().length >= 1, 'the last missed message');
    await sleep(300);
    seen.push(...third.texts());
    assert.deepEqual(seen, ['one', 'two', 'three (while down)', 'four (while down)', 'five', 'six (while down)']);
    assert.deepEqual(
      [...first.messages(), ...second.messages(), ...third.messages()].map((p) => Number(p.meta.seq)),
      [1, 2, 3, 4, 5, 6],
    );
  });

  it('pushes nothing to a client that hangs up within the grace period (a health check)', async (t) => {
    const { b, alice, bob, stateDir } = await room(t);
    await post(b, bob, 'kept for the real session');
    const check = await startChannel(t, { url: b.url, code: alice, stateDir, grace: '1' });
    await check.client.close();
    assert.deepEqual(await check.exited, { code: 0, signal: null });
    assert.deepEqual(check.pushed, []);
    const real = await startChannel(t, { url: b.url, code: alice, stateDir });
    await until(() => real.messages().length === 1, 'the backlog');
    assert.deepEqual(real.texts(), ['kept for the real session']);
  });

  it('rides out a bridge restart on the same port and data directory', async (t) => {
    const dataDir = tempDir(t);
    let b = await startBridge(null, {}, { dataDir });
    const port = new URL(b.url).port;
    const alice = await b.invite('alice', 'r');
    const bob = await b.invite('bob', 'r');
    const ch = await startChannel(t, { url: b.url, code: alice, stateDir: tempDir(t) });
    await post(b, bob, 'before the restart');
    await until(() => ch.messages().length === 1, 'the first push');
    await b.close();
    await until(() => /retrying/.test(ch.stderr()), 'a retry');
    b = await startBridge(t, { ARGYBARGY_PORT: port }, { dataDir });
    await post(b, bob, 'after the restart');
    await until(() => ch.messages().length === 2, 'the push after the restart');
    assert.deepEqual(ch.texts(), ['before the restart', 'after the restart']);
    assert.match(ch.stderr(), /reconnected/);
    assert.ok(!ch.stderr().includes(alice));
  });

  it('ends with one final event when the room closes (not repeated after a restart); the tools keep working', async (t) => {
    const { b, alice, bob, stateDir } = await room(t);
    const ch = await startChannel(t, { url: b.url, code: alice, stateDir });
    await post(b, bob, 'last words');
    await until(() => ch.messages().length === 1, 'the message');
    await admin(b, '/admin/rooms/r/close', { by: 'titus' });
    await until(() => ch.pushed.length === 2, 'the exit event');
    const exit = ch.pushed[1];
    assert.deepEqual(
      { ...exit.meta, closed_at: '' },
      { kind: 'exit', room: 'r', exit_reason: 'room_closed', closed_by: 'titus', closed_at: '' },
    );
    assert.match(exit.content, /closed room r/);
    assert.equal((await ch.call('whoami')).data.name, 'alice');
    const refused = await ch.call('send', { text: 'too late' });
    assert.equal(refused.isError, true);
    assert.equal(JSON.parse(refused.text).error, 'room_closed');
    ch.child.kill('SIGTERM');
    await ch.exited;

    const again = await startChannel(t, { url: b.url, code: alice, stateDir });
    await until(() => /already announced/.test(again.stderr()), 'the restarted channel to stop');
    assert.deepEqual(again.pushed, []);
  });

  it('ends with a final event when the code is revoked', async (t) => {
    const { b, alice, stateDir } = await room(t);
    const ch = await startChannel(t, { url: b.url, code: alice, stateDir });
    await sleep(300); // parked in its long-poll
    assert.equal((await admin(b, '/admin/revoke', { target: 'alice' })).body.revoked, 1);
    await until(() => ch.pushed.length === 1, 'the exit event');
    assert.deepEqual(ch.pushed[0].meta, { kind: 'exit', room: 'r', exit_reason: 'access_revoked' });
    assert.equal(JSON.parse((await ch.call('whoami')).text).error, 'unauthorized');
  });

  it('a second channel for the same code waits until the first one stops', async (t) => {
    const { b, alice, bob, stateDir } = await room(t);
    const first = await startChannel(t, { url: b.url, code: alice, stateDir });
    await sleep(200);
    const second = await startChannel(t, { url: b.url, code: alice, stateDir });
    await until(() => second.pushed.length === 1, 'the notice');
    assert.equal(second.pushed[0].meta.kind, 'notice');
    assert.match(second.pushed[0].content, /Another argybargy channel process/);
    await post(b, bob, 'for the first');
    await until(() => first.messages().length === 1, 'the push to the first');
    first.child.kill('SIGTERM');
    await first.exited;
    await post(b, bob, 'for the second');
    await until(() => second.messages().length === 1, 'the push to the second', 10_000);
    assert.deepEqual(second.texts(), ['for the second']);
  });

  it('refuses to start without a code, or with a code Claude Code left unexpanded', async () => {
    const none = await runCli(['channel'], { ARGYBARGY_URL: 'http://127.0.0.1:9' });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /ARGYBARGY_CODE/);
    assert.equal(none.stdout, '');
    const literal = await runCli(['channel'], { ARGYBARGY_CODE: `\${ARGYBARGY_CODE}` });
    assert.equal(literal.code, 1);
    assert.match(literal.stderr, /export ARGYBARGY_CODE in the shell that starts claude/);
  });
});

describe('invite and room print the channel lines', () => {
  it('with the URL, a reference to ARGYBARGY_CODE and the flag, never the code on a command line', async (t) => {
    const env = { ARGYBARGY_DATA: tempDir(t), ARGYBARGY_PORT: '8799' };
    for (const args of [
      ['invite', '--name', 'alice', '--room', 'r'],
      ['room', 'build', '--worker', 'coder'],
    ]) {
      const r = await runCli(args, env);
      assert.equal(r.code, 0, r.stderr);
      const code = args[0] === 'invite' ? /^ {2}(\S+)$/m.exec(r.stdout)?.[1] : /^Code: +(\S+)$/m.exec(r.stdout)?.[1];
      assert.ok(code);
      const add = r.stdout.split('\n').find((l) => l.includes('-- argybargy channel')) ?? '';
      assert.equal(
        add.trim(),
        `claude mcp add argybargy -e ARGYBARGY_URL=http://127.0.0.1:8799 -e 'ARGYBARGY_CODE=\${ARGYBARGY_CODE}' -- argybargy channel`,
      );
      assert.ok(r.stdout.includes('read -rs ARGYBARGY_CODE && export ARGYBARGY_CODE'));
      const commands = r.stdout.split('\n').filter((l) => /\b(claude|codex|gemini|export|read)\b/.test(l));
      assert.ok(commands.length > 3);
      for (const l of commands) assert.ok(!l.includes(code), `no code on a command line: ${l}`);
      assert.ok(r.stdout.includes('claude --dangerously-load-development-channels server:argybargy\n'));
    }
  });
});

describe('channel events', () => {
  it('carry only identifier keys with string values, and resolved/claimed only when they say something', () => {
    assert.deepEqual(metaOf({ ok: 1, 'not-ok': 'x', _also: 'y', '9no': 'z', gone: null }), { ok: '1', _also: 'y' });
    const m = {
      seq: 7,
      ts: '2026-01-01T00:00:00+00:00',
      from: 'bob',
      to: 'all',
      text: '</channel> <b>data</b>',
      expects_reply: 'anyone',
      expects_reply_resolved: 'alice',
      claimed_by: 'carol',
      reply_to: 3,
      answered_by: 'carol',
      answered_at: '2026-01-01T00:01:00+00:00',
      lease_expires_at: '2026-01-01T00:10:00+00:00',
      kind: null,
      reason: null,
    };
    const e = messageEvent(m, 'r');
    assert.equal(e.meta.kind, 'message', 'the event kind stays: the message kind is message_kind');
    assert.equal(e.meta.lease_expires_at, m.lease_expires_at);
    const notice = messageEvent({ ...m, from: 'argybargy', kind: 'claim_reopened', reason: 'lease_expired' }, 'r');
    assert.deepEqual(
      [notice.meta.kind, notice.meta.message_kind, notice.meta.reason],
      ['message', 'claim_reopened', 'lease_expired'],
    );
    assert.equal(e.content, m.text);
    assert.equal(e.meta.expects_reply_resolved, 'alice');
    assert.equal(e.meta.claimed_by, 'carol');
    assert.deepEqual([e.meta.reply_to, e.meta.answered_by, e.meta.answered_at], ['3', 'carol', m.answered_at]);
    const plain = messageEvent(
      {
        ...m,
        expects_reply_resolved: 'anyone',
        claimed_by: null,
        reply_to: null,
        answered_by: null,
        answered_at: null,
        lease_expires_at: null,
      },
      'r',
    );
    for (const k of ['lease_expires_at', 'message_kind', 'reason']) assert.equal(k in plain.meta, false, k);
    assert.equal('expects_reply_resolved' in plain.meta, false);
    assert.equal('claimed_by' in plain.meta, false);
    for (const k of ['reply_to', 'answered_by', 'answered_at']) assert.equal(k in plain.meta, false, k);
  });
});
