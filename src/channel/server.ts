import type { Readable, Writable } from 'node:stream';
import { type CallToolResult, McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';
import { InvalidInput } from '../domain/errors.js';
import { advertised, checkToolArgs } from '../domain/tool-args.js';
import { CLAIM_ARGS, SEND_ARGS, sendInput, THREAD_ARGS } from '../domain/tool-schemas.js';
import type { Whoami } from '../wire/messages.js';
import { CHANNEL_METHOD, type ChannelEvent, noticeEvent } from './events.js';
import { follow, sleep } from './follower.js';
import { channelInstructions } from './instructions.js';
import { BridgeUnreachable, type RestClient } from './rest.js';
import type { StateFile } from './state.js';

function ok(value: unknown): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
    structuredContent: value as Record<string, unknown>,
  };
}

/** A refusal as a tool error the model can read: the bridge's own `{error, detail}`. */
function refused(body: unknown): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(body, null, 2) }] };
}

const HISTORY_ARGS = z.object({ limit: z.number().int().min(1).nullish().describe('How many (default 50).') });

/**
 * Checks a tool's raw arguments (domain/tool-args.ts) and runs the tool with them; bad
 * arguments come back as the bridge's own refusal, `{error: 'bad_request', detail}`.
 */
async function withArgs<S extends z.ZodType>(
  tool: string,
  schema: S,
  raw: unknown,
  run: (args: z.output<S>) => Promise<CallToolResult>,
): Promise<CallToolResult> {
  let args: z.output<S>;
  try {
    args = checkToolArgs(tool, schema, raw);
  } catch (e) {
    if (e instanceof InvalidInput) return refused({ error: 'bad_request', detail: e.message });
    throw e;
  }
  return run(args);
}

/** One REST call as a tool result: 2xx is the answer, anything else the bridge's error body. */
async function call(
  rest: RestClient,
  method: string,
  path: string,
  body?: unknown,
  onConflict?: (b: unknown) => CallToolResult,
): Promise<CallToolResult> {
  let r: Awaited<ReturnType<RestClient['request']>>;
  try {
    r = await rest.request(method, path, { body, timeoutMs: 30_000 });
  } catch (e) {
    if (!(e instanceof BridgeUnreachable)) throw e;
    return refused({
      error: 'unavailable',
      detail: `The bridge at ${rest.url} is not answering (${e.message}). Try again in a moment.`,
    });
  }
  if (r.status >= 200 && r.status < 300) return ok(r.body);
  if (r.status === 409 && onConflict) return onConflict(r.body);
  if (typeof r.body === 'object' && r.body) return refused(r.body);
  return refused({ error: `http_${r.status}`, detail: String(r.body).slice(0, 300) });
}

/**
 * The channel's MCP server: the `claude/channel` capability, instructions for the
 * model, and the reply tools (the bridge MCP endpoint's tools, with the same names
 * and meanings, minus wait_for_messages: messages are pushed). Every tool is one
 * REST call with the agent's code.
 */
export function buildChannelServer(rest: RestClient, me: Whoami | null, version: string): McpServer {
  const server = new McpServer(
    { name: 'argybargy', version },
    {
      capabilities: { experimental: { 'claude/channel': {} }, tools: {} },
      instructions: channelInstructions(me),
    },
  );

  server.registerTool(
    'whoami',
    {
      title: 'Who am I',
      description: 'Your name, room and capabilities on this bridge.',
      annotations: { readOnlyHint: true },
    },
    () => call(rest, 'GET', '/whoami'),
  );

  server.registerTool(
    'peers',
    {
      title: 'Who is here',
      description: 'Who is present in your room right now, whether they are online, and what they can do.',
      annotations: { readOnlyHint: true },
    },
    () => call(rest, 'GET', '/peers'),
  );

  server.registerTool(
    'history',
    {
      title: 'Recent messages',
      description:
        'The newest messages of your room that you may see, oldest first. For catching up; new messages are pushed to you as <channel> blocks.',
      inputSchema: advertised(HISTORY_ARGS),
      annotations: { readOnlyHint: true },
    },
    (raw) => withArgs('history', HISTORY_ARGS, raw, ({ limit }) => call(rest, 'GET', `/history?limit=${limit ?? 50}`)),
  );

  server.registerTool(
    'send',
    {
      title: 'Send a message',
      description:
        "Post a message to your room (to 'all', the default) or to one peer by name. expects_reply says who should answer: 'none' (the default for 'all'), 'anyone' (an open question others claim), or a peer's name (the default for a direct message). reply_to: the seq of the message you answer; your reply to a question put to you (or that you claimed) marks it answered. claim_lease: seconds a claim on your question holds. Answers {ok, message, warnings}: a warning means a name you used is not in the room (check peers); the message was stored anyway.",
      inputSchema: advertised(SEND_ARGS),
    },
    (raw) => withArgs('send', SEND_ARGS, raw, (args) => call(rest, 'POST', '/messages', sendInput(args))),
  );

  server.registerTool(
    'thread',
    {
      title: 'Read a thread',
      description:
        'A question and every reply to it (replies to replies too) that you may see, oldest first, given the seq of any message in it. Shows whether and by whom it was answered (answered_by).',
      inputSchema: advertised(THREAD_ARGS),
      annotations: { readOnlyHint: true },
    },
    (raw) => withArgs('thread', THREAD_ARGS, raw, ({ seq }) => call(rest, 'GET', `/messages/${seq}/thread`)),
  );

  server.registerTool(
    'claim',
    {
      title: 'Claim a question',
      description:
        "Before answering a message whose expects_reply is 'anyone', claim it. won: true means answer it; won: false means someone else (claimed_by) answers, so stay quiet. A claim is a lease: it lapses at lease_expires_at (null: never) unless you answer or claim again (renews); then the question opens again and a message from 'argybargy' (message_kind claim_reopened, reply_to the question) says so: claim it again to answer.",
      inputSchema: advertised(CLAIM_ARGS),
    },
    (raw) =>
      withArgs('claim', CLAIM_ARGS, raw, ({ seq }) =>
        call(rest, 'POST', `/messages/${seq}/claim`, undefined, (b) => {
          const lost = b as {
            won?: boolean;
            claimed_by?: string;
            seq?: number;
            answered_by?: string | null;
            lease_expires_at?: string | null;
            renewed?: boolean;
          };
          return ok({
            won: false,
            claimed_by: lost.claimed_by,
            seq: lost.seq ?? seq,
            answered_by: lost.answered_by ?? null,
            lease_expires_at: lost.lease_expires_at ?? null,
            ...(lost.renewed === true ? { renewed: true } : {}),
          });
        }),
      ),
  );

  return server;
}

export interface ChannelOptions {
  rest: RestClient;
  state: StateFile;
  me: Whoami | null;
  version: string;
  /** How long after the handshake the first push waits: a health check hangs up sooner and consumes nothing. */
  graceMs: number;
  log: (line: string) => void;
  stdin?: Readable;
  stdout?: Writable;
  /** Resolves when the process is asked to stop (SIGTERM, SIGINT). */
  stopRequested?: Promise<void>;
}

/** Resolves once everything written to `out` so far has been handed to the operating system. */
function flushed(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => out.write('', (err) => (err ? reject(err) : resolve())));
}

/**
 * Serves the channel on stdio until the client hangs up (stdin ends) or a stop is
 * requested; resolves with the exit code. Following starts `graceMs` after the
 * client's `notifications/initialized` and only while this process holds the lock
 * for the code.
 */
export async function serveChannel(o: ChannelOptions): Promise<number> {
  const stdout = o.stdout ?? process.stdout;
  const server = buildChannelServer(o.rest, o.me, o.version);
  const stop = new AbortController();
  let closed!: () => void;
  const ended = new Promise<void>((r) => {
    closed = r;
  });
  const room = o.me?.room ?? null;

  const push = async (event: ChannelEvent) => {
    await server.server.notification({ method: CHANNEL_METHOD, params: { ...event } });
    await flushed(stdout);
  };

  const lock = async (): Promise<boolean> => {
    let told = false;
    while (!stop.signal.aborted) {
      const holder = o.state.tryLock();
      if (holder === null) {
        if (told)
          await push(noticeEvent('The other channel process stopped: room messages come to this session now.', room));
        return true;
      }
      if (!told) {
        told = true;
        o.log(`another channel (pid ${holder}) is following this code; waiting for it to stop`);
        await push(
          noticeEvent(
            `Another argybargy channel process (pid ${holder}) is already receiving this room's messages for your code, probably in another Claude Code session. This session gets them only once that one stops; until then the history tool shows what was said.`,
            room,
          ),
        );
      }
      await sleep(2000, stop.signal);
    }
    return false;
  };

  let following: Promise<void> | null = null;
  const start = () => {
    if (following) return;
    following = (async () => {
      await sleep(o.graceMs, stop.signal);
      if (stop.signal.aborted || !(await lock())) return;
      const end = await follow({ rest: o.rest, state: o.state, push, log: o.log, room }, stop.signal);
      if (end.kind === 'exit')
        o.log('no more messages will be pushed; the tools keep working until the client hangs up');
    })().catch(async (e) => {
      if (stop.signal.aborted) return;
      const why = (e as Error).message;
      o.log(`stopped following: ${why}`);
      await push(
        noticeEvent(`The channel stopped receiving room messages (${why}). The history tool still shows them.`, room),
      ).catch(() => {});
    });
  };

  server.server.oninitialized = () => {
    if (!stop.signal.aborted) start();
  };
  server.server.onclose = () => closed();
  await server.connect(new StdioServerTransport(o.stdin ?? process.stdin, stdout));
  await Promise.race([ended, o.stopRequested ?? new Promise<void>(() => {})]);

  stop.abort();
  // A push or a save in progress finishes (the loop stops before the next one); bounded, in case stdout is stuck.
  await Promise.race([following ?? undefined, new Promise((r) => setTimeout(r, 3000).unref())]);
  o.state.unlock();
  await server.close().catch(() => {});
  return 0;
}
