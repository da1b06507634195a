import type { CallToolResult } from '@modelcontextprotocol/server';
import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { advertised, checkToolArgs } from '../../domain/tool-args.js';
import { CLAIM_ARGS, SEND_ARGS, sendInput, THREAD_ARGS } from '../../domain/tool-schemas.js';
import { ApiError, toApiError } from '../../errors.js';
import { THREAD_LIMIT } from '../../services/bridge.js';
import type { Agent } from '../../services/context.js';
import type { RouteDeps } from '../http/deps.js';
import { HOUSE_RULES } from './rules.js';

/** The resource whose updates announce new messages (subscriptions/listen, resources/subscribe). */
export const INBOX_URI = 'argybargy://inbox';
const RULES_URI = 'argybargy://house-rules';

/**
 * What the bridge really does, and nothing more: tool, prompt and resource lists
 * never change (so no list_changed), and the inbox resource announces every new
 * message to subscribers.
 */
export const CAPABILITIES = {
  tools: { listChanged: false },
  prompts: { listChanged: false },
  resources: { subscribe: true, listChanged: false },
} as const;

/**
 * The most one wait_for_messages answer carries: clients show a model only the start
 * of a long tool result (Codex CLI about 12,000 characters, Gemini CLI the first
 * 8,000 and the last 32,000, Claude Code a preview of a file past about 25,000
 * tokens), so a page stays within that, and `more` tells the model to ask again.
 */
export const MCP_PAGE = { messages: 16, chars: 6_000 };

function ok(value: object): CallToolResult {
  return {
    // Compact: the model reads it, and every character counts against the client's limits.
    content: [{ type: 'text', text: JSON.stringify(value) }],
    structuredContent: value as Record<string, unknown>,
  };
}

/**
 * Runs a tool, turning a refusal into a tool error the model can read: the bridge's
 * `{error, detail}`, for bad arguments (`bad_request`, checked in the tool) as for
 * every other refusal.
 */
async function tool(fn: () => Promise<object>): Promise<CallToolResult> {
  try {
    return ok(await fn());
  } catch (e) {
    const err = toApiError(e);
    if (err.code === 'internal') throw e;
    return { isError: true, content: [{ type: 'text', text: JSON.stringify(err.body()) }] };
  }
}

/** The bridge services one MCP server needs. */
export type McpDeps = Pick<RouteDeps, 'config' | 'version' | 'bridge' | 'delivery'>;

/** What one MCP server instance serves: one agent, one HTTP request, and that request's end. */
export interface McpCall {
  agent: Agent;
  /**
   * The key a wait's handout is filed under (domain/handout.ts requestKey): the
   * JSON-RPC id within the client's session in the 2025 era, where a cancel names
   * it; unique per HTTP request in 2026, where closing the request cancels it.
   */
  requestKey: string;
  /** Aborts when the HTTP request's connection closes before its answer was written. */
  gone: AbortSignal;
}

/** The initialize/discover instructions: who the agent is and how the room works. */
function instructions(agent: Agent, maxWait: number): string {
  return [
    `You are ${agent.name} in room ${agent.room} on an argybargy bridge, where AI agents and humans talk.`,
    `Loop: wait_for_messages (it answers as soon as something arrives, or after at most ${maxWait} s with nothing), act, reply with send, wait again. You need not pass since: every message reaches you exactly once.`,
    "Answer a message whose expects_reply is your name; for 'anyone', call claim first and answer only if you won. Answer with send reply_to: <its seq>, so it counts as answered.",
    'Stop only when wait_for_messages says should_exit: true. The house_rules prompt has the details.',
  ].join('\n');
}

/**
 * An MCP server for one agent and one request (both MCP eras are served
 * statelessly, so any node answers any request). Every tool calls the same bridge
 * service the REST API uses; wait_for_messages hands out through the agent's
 * server-side cursor under the request's id, so a cancelled or lost answer is
 * delivered again (domain/handout.ts).
 */
export function buildMcpServer(deps: McpDeps, call: McpCall, era: 'legacy' | 'modern'): McpServer {
  const { bridge, delivery, config } = deps;
  const { agent } = call;
  // Whole seconds, and never more than the bridge parks a long-poll.
  const maxWait = config.maxWait;
  const defaultWait = Math.min(25, maxWait);
  // Each tool's arguments: advertised as they are, checked inside the tool (domain/tool-args.ts).
  const historyArgs = z.object({
    limit: z.number().int().min(1).max(config.maxHistory).nullish().describe('How many (default 50).'),
  });
  const waitArgs = z.object({
    since: z
      .number()
      .int()
      .min(0)
      .nullish()
      .describe('Only messages after this seq. Omit to continue where you left off.'),
    wait_seconds: z
      .number()
      .min(0)
      .nullish()
      .describe(`How long to wait for something new, in seconds (default ${defaultWait}, capped at ${maxWait}).`),
  });
  const server = new McpServer(
    { name: 'argybargy', version: deps.version },
    { instructions: instructions(agent, maxWait), capabilities: CAPABILITIES },
  );

  server.registerTool(
    'whoami',
    {
      title: 'Who am I',
      description: 'Your name, room and capabilities on this bridge.',
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () => tool(async () => bridge.whoami(agent)),
  );

  server.registerTool(
    'peers',
    {
      title: 'Who is here',
      description: 'Who is present in your room right now, whether they are online, and what they can do.',
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () => tool(() => bridge.peers(agent)),
  );

  server.registerTool(
    'history',
    {
      title: 'Recent messages',
      description:
        'The newest messages of your room that you may see, oldest first. For catching up; to listen, use wait_for_messages.',
      inputSchema: advertised(historyArgs),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (raw) =>
      tool(() => {
        const { limit } = checkToolArgs('history', historyArgs, raw);
        return bridge.history(agent, limit ?? 50);
      }),
  );

  server.registerTool(
    'send',
    {
      title: 'Send a message',
      description:
        "Post a message to your room (to 'all', the default) or to one peer by name. expects_reply says who should answer: 'none' (the default for 'all'), 'anyone' (an open question others claim), or a peer's name (the default for a direct message). reply_to: the seq of the message you answer; your reply to a question put to you (or that you claimed) marks it answered. claim_lease: seconds a claim on your question holds. Answers {ok, message, warnings}: a warning means a name you used is not in the room (check peers); the message was stored anyway.",
      annotations: { destructiveHint: false, openWorldHint: false },
      inputSchema: advertised(SEND_ARGS),
    },
    (raw) => tool(() => bridge.post(agent, sendInput(checkToolArgs('send', SEND_ARGS, raw)))),
  );

  server.registerTool(
    'thread',
    {
      title: 'Read a thread',
      description: `A question and every reply to it (replies to replies too) that you may see, oldest first, given the seq of any message in it: {room, root, messages, truncated}. root.answered_by says whether and by whom it was answered. At most ${THREAD_LIMIT} messages.`,
      inputSchema: advertised(THREAD_ARGS),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (raw) => tool(() => bridge.thread(agent, checkToolArgs('thread', THREAD_ARGS, raw).seq)),
  );

  server.registerTool(
    'wait_for_messages',
    {
      title: 'Wait for messages',
      description: `Returns new messages for you as soon as there are any, or after wait_seconds (default ${defaultWait}, at most ${maxWait}) with none, so it answers within ${maxWait} seconds. At most ${MCP_PAGE.messages} messages come at once: when more is true, call again at once. Also says should_exit: when true, stop and finish (exit_reason tells why). Without since, continues from where you left off: you receive every message exactly once, and a call that was cancelled or timed out loses nothing.`,
      inputSchema: advertised(waitArgs),
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    },
    (raw, ctx) =>
      tool(async () => {
        const { since, wait_seconds } = checkToolArgs('wait_for_messages', waitArgs, raw);
        const signals = [call.gone, ctx.mcpReq.signal].filter((s): s is AbortSignal => s !== undefined);
        const answer = await delivery.poll(agent, Math.floor(wait_seconds ?? defaultWait), {
          since: since ?? undefined,
          handout: { request: call.requestKey },
          page: MCP_PAGE,
          signal: AbortSignal.any(signals),
        });
        if (!answer) throw new ApiError('bad_request', 'The request was cancelled; nothing was delivered.');
        return answer;
      }),
  );

  server.registerTool(
    'claim',
    {
      title: 'Claim a question',
      description:
        "Before answering a message whose expects_reply is 'anyone', claim it. won: true means answer it; won: false means someone else (claimed_by) answers, or it was already answered (answered_by), so stay quiet. A claim is a lease: it lapses at lease_expires_at (null: never) unless you answer or claim again (renews: won false, claimed_by you, renewed true); then the question opens again and everyone gets a message from 'argybargy' with kind 'claim_reopened' and reply_to the question — claim it again to answer.",
      annotations: { destructiveHint: false, idempotentHint: true, openWorldHint: false },
      inputSchema: advertised(CLAIM_ARGS),
    },
    (raw) => tool(() => bridge.claim(agent, checkToolArgs('claim', CLAIM_ARGS, raw).seq)),
  );

  server.registerPrompt(
    'house_rules',
    { title: 'House rules', description: 'How to take part in an argybargy room: turn-taking, claims, when to leave.' },
    () => ({ messages: [{ role: 'user', content: { type: 'text', text: HOUSE_RULES } }] }),
  );

  server.registerResource(
    'house-rules',
    RULES_URI,
    { title: 'House rules', description: 'How to take part in an argybargy room.', mimeType: 'text/markdown' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: HOUSE_RULES }] }),
  );

  server.registerResource(
    'inbox',
    INBOX_URI,
    {
      title: 'Inbox',
      description:
        'The messages you have not received yet (what wait_for_messages would answer next), without taking them. Subscribe to it to be told of each new message.',
      mimeType: 'application/json',
    },
    async (uri) => {
      const batch = await delivery.unread(agent);
      const text = JSON.stringify({ messages: batch.messages, cursor: batch.cursor, more: batch.more });
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text }] };
    },
  );

  if (era === 'legacy') {
    // 2025-era subscriptions: the notices come on the GET stream of /mcp (stateless, so
    // every open GET stream carries them); subscribing is acknowledged, never stored.
    server.server.setRequestHandler('resources/subscribe', () => ({}));
    server.server.setRequestHandler('resources/unsubscribe', () => ({}));
  }

  return server;
}
