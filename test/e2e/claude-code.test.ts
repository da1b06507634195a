/**
 * End to end with the real Claude Code (npm `@anthropic-ai/claude-code`): it runs
 * headless against a bridge's /mcp, its model replaced by a scripted stub
 * (ANTHROPIC_BASE_URL), with a recording proxy between it and the bridge so the test
 * sees which MCP protocol revision carried each request. See docs/E2E.md.
 *
 * Needs Claude Code: CLAUDE_CODE_BIN=<path to claude>, or the @anthropic-ai/claude-code
 * package (not a devDependency: .ci/run installs it). Without it the suite is skipped,
 * except with CI=true, where that is an error.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { post, sleep, startBridge, type TestBridge } from '../helpers.js';
import { describeRun, locateClaudeCode, type RunResult, runClaudeCode, SERVER } from '../support/claude-code.js';
import { type Exchange, type McpTap, MODERN, rpcAnswer, startMcpTap, summarize } from '../support/mcp-tap.js';
import { type ModelStub, type Step, startModelStub } from '../support/model-stub.js';

const cc = locateClaudeCode();
if ('missing' in cc && process.env.CI === 'true') {
  throw new Error(`CI needs Claude Code for the end-to-end test: ${cc.missing} (see docs/E2E.md).`);
}

const TOOLS = ['claim', 'history', 'peers', 'send', 'thread', 'wait_for_messages', 'whoami'];
const tool = (name: string) => `mcp__${SERVER}__${name}`;

interface Session {
  bridge: TestBridge;
  tap: McpTap;
  stub: ModelStub;
  run: RunResult;
}

interface SessionOptions {
  /** The proxy refuses `server/discover` as a 2025-era server would, forcing the `initialize` fallback. */
  refuseDiscover?: boolean;
  env?: Record<string, string>;
  /** The model's script; it may act on the bridge (as another agent, `other`) between steps. */
  script: (s: { bridge: TestBridge; tap: McpTap; other: string }) => Step[];
}

/** A bridge with two agents in room e2e, and one Claude Code session (as `cc`) following `script`. */
async function session(t: TestContext, opts: SessionOptions): Promise<Session> {
  if ('missing' in cc) throw new Error(cc.missing);
  const bridge = await startBridge(t);
  const code = await bridge.invite('cc', 'e2e', { capabilities: 'runs Claude Code' });
  const other = await bridge.invite('other', 'e2e');
  const tap = await startMcpTap(bridge.url, { refuseDiscover: opts.refuseDiscover });
  t.after(() => tap.close());
  const stub = await startModelStub(opts.script({ bridge, tap, other }));
  t.after(() => stub.close());
  const run = await runClaudeCode(cc, { modelUrl: stub.url, mcpUrl: `${tap.url}/mcp`, code, env: opts.env });
  t.diagnostic(`Claude Code (${cc.from}) ran ${run.durationMs} ms; MCP: ${summarize(tap.exchanges)}`);
  if (stub.unknown.length) t.diagnostic(`the model stub did not know: ${stub.unknown.join(', ')}`);
  assert.equal(run.exitCode, 0, describeRun(run));
  assert.deepEqual(
    run.init?.mcp_servers?.map((s: { name: string; status: string }) => [s.name, s.status]),
    [[SERVER, 'connected']],
    `MCP: ${summarize(tap.exchanges)}`,
  );
  return { bridge, tap, stub, run };
}

/** The tools were offered to the model, and the whoami it called came back with the bridge's answer. */
function assertListedAndCalled({ stub, tap }: Session) {
  assert.deepEqual(
    stub
      .toolsOffered()
      .filter((n) => n.startsWith(`mcp__${SERVER}__`))
      .sort(),
    TOOLS.map(tool),
    'the tools Claude Code offered the model',
  );
  const who = stub.toolResult(0);
  assert.ok(who, 'the whoami result reached the model');
  assert.equal(who.isError, false, who.text);
  assert.deepEqual(parseToolJson(who.text), { name: 'cc', room: 'e2e', capabilities: 'runs Claude Code' });
  assert.equal(tap.calls('tools/call').length, 1);
}

/** The JSON a bridge tool answered with (Claude Code may append a system reminder after it). */
function parseToolJson(text: string): any {
  const json = text.split('\n\n<system-reminder>')[0];
  try {
    return JSON.parse(json);
  } catch {
    return { unparsed: text };
  }
}

const whoamiScript = () => [{ tool: tool('whoami') }, { say: 'Done.' }];

/** The successful tools/list exchanges that carried the bridge's tools. */
const listings = (tap: McpTap) =>
  tap.calls('tools/list').filter((e) => e.status === 200 && rpcAnswer(e)?.result?.tools?.length === TOOLS.length);

const MESSAGE = 'posted after Claude Code gave up on its wait';

/**
 * The model waits 20 s, Claude Code gives up after 5 (MCP_TOOL_TIMEOUT) and says so;
 * about 6 s after the wait began another agent posts; the model waits again, without
 * `since`, and must get that message. The second wait is 3 s, under the 5 s timeout,
 * so a lost message shows as an empty answer rather than as a second timeout.
 */
async function timedOutWait(t: TestContext, refuseDiscover: boolean) {
  const posted: { status?: number; at?: number } = {};
  let waitCall: Exchange | undefined;
  const s = await session(t, {
    refuseDiscover,
    env: { MCP_TOOL_TIMEOUT: '5000' },
    script: ({ bridge, tap, other }) => [
      { tool: tool('wait_for_messages'), input: { wait_seconds: 20 } },
      {
        tool: tool('wait_for_messages'),
        input: { wait_seconds: 3 },
        // Answered only once Claude Code has reported the first wait's timeout.
        before: async () => {
          waitCall = tap.calls('tools/call').find((e) => e.params?.arguments?.wait_seconds === 20);
          if (waitCall) await sleep(Math.max(0, waitCall.at + 6000 - tap.now()));
          posted.status = (await post(bridge, other, MESSAGE)).status;
          posted.at = tap.now();
        },
      },
      { say: 'Done.' },
    ],
  });
  const { stub, tap } = s;

  const first = stub.toolResult(0);
  assert.ok(first, 'the first wait reached the model');
  assert.equal(first.isError, true, `Claude Code should have timed the 20 s wait out after 5 s: ${first.text}`);
  assert.match(first.text, /timed out/i);
  assert.ok(waitCall, `the bridge saw the 20 s wait (MCP: ${summarize(tap.exchanges)})`);
  assert.equal(posted.status, 200, 'the other agent posted');
  const after = (posted.at ?? 0) - waitCall.at;
  assert.ok(after >= 5500 && after < 20_000, `posted ${after} ms after the wait began, inside the abandoned 20 s`);

  const second = stub.toolResult(1);
  assert.ok(second, 'the second wait reached the model');
  const got = parseToolJson(second.text);
  const texts = (got.messages ?? []).map((m: { text: string }) => m.text);
  const answered = second.isError
    ? `an error: ${second.text}`
    : `messages ${JSON.stringify(texts)}, cursor ${got.cursor}`;
  assert.ok(
    !second.isError && texts.includes(MESSAGE),
    `the message posted after the timeout must reach the next wait_for_messages (no since); it answered ${answered}. ${fateOf(waitCall)} MCP: ${summarize(tap.exchanges)}`,
  );
}

/** What became of the call Claude Code gave up on, as the bridge's side saw it. */
function fateOf(call: Exchange): string {
  const ms = (call.endedAt ?? 0) - call.at;
  if (call.abandoned) return `Claude Code closed the abandoned 20 s call ${ms} ms after it began.`;
  if (call.endedAt === undefined) return 'The abandoned 20 s call is still open at the bridge.';
  const ate = call.response.includes(MESSAGE) ? ', carrying the message (nobody read that answer)' : '';
  return `The abandoned 20 s call stayed open and the bridge answered it ${ms} ms after it began${ate}.`;
}

describe('Claude Code end to end', {
  skip: 'missing' in cc ? `needs Claude Code: ${cc.missing} (docs/E2E.md)` : false,
}, () => {
  it('lists the tools over MCP 2026-07-28 and calls whoami', async (t) => {
    const s = await session(t, { script: whoamiScript });
    assertListedAndCalled(s);
    const modern = listings(s.tap).filter((e) => e.headerVersion === MODERN && e.metaVersion === MODERN);
    assert.ok(
      modern.length > 0 && s.tap.calls('initialize').length === 0,
      `expected server/discover and tools/list over ${MODERN} and no initialize; MCP: ${summarize(s.tap.exchanges)}`,
    );
    assert.equal(s.tap.calls('server/discover').at(0)?.status, 200);
    const call = s.tap.calls('tools/call')[0];
    assert.equal(call.metaVersion, MODERN, 'whoami was called over 2026-07-28 too');
  });

  it('lists the tools over the initialize fallback when server/discover is refused, and calls whoami', async (t) => {
    const s = await session(t, { refuseDiscover: true, script: whoamiScript });
    assertListedAndCalled(s);
    const discover = s.tap.calls('server/discover');
    assert.ok(discover.length > 0 && discover.every((e) => e.refusedByTap), 'Claude Code tried 2026-07-28 first');
    const init = s.tap.calls('initialize').find((e) => e.status === 200);
    assert.ok(init, `an initialize was answered; MCP: ${summarize(s.tap.exchanges)}`);
    const negotiated = rpcAnswer(init)?.result?.protocolVersion;
    assert.equal(typeof negotiated, 'string');
    assert.ok(negotiated < MODERN, `the fallback negotiated ${negotiated}`);
    t.diagnostic(`Claude Code asked for ${init.initializeVersion}; the bridge answered ${negotiated}`);
    const legacy = listings(s.tap).filter((e) => e.headerVersion === negotiated && e.metaVersion === undefined);
    assert.ok(legacy.length > 0, `tools/list over ${negotiated}; MCP: ${summarize(s.tap.exchanges)}`);
    assert.equal(s.tap.calls('tools/call')[0].headerVersion, negotiated);
  });

  // Over 2026-07-28 Claude Code closes the request it gave up on; over the fallback it
  // leaves it open and sends notifications/cancelled in a separate POST, which the
  // bridge must act on, or the abandoned call would take the message (docs/E2E.md).
  it('loses nothing to a timed-out wait_for_messages', async (t) => {
    await timedOutWait(t, false);
  });

  it('loses nothing to a timed-out wait_for_messages over the initialize fallback', async (t) => {
    await timedOutWait(t, true);
  });
});
