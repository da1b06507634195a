import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ApiError, toApiError } from '../../errors.js';
import type { Agent } from '../../services/context.js';
import type { RouteDeps } from '../http/deps.js';
import { HOUSE_RULES } from './rules.js';

/** The longest wait_for_messages waits: under the 60 s tool timeout some clients impose. */
const MCP_MAX_WAIT = 50;

function ok(value: object): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
    structuredContent: value as Record<string, unknown>,
  };
}

/** Runs a tool, turning a refusal from the bridge into a tool error the model can read (the same `{error, detail}`). */
async function tool(fn: () => Promise<object>): Promise<CallToolResult> {
  try {
    return ok(await fn());
  } catch (e) {
    const err = toApiError(e);
    if (err.code === 'internal') throw e;
    return { isError: true, content: [{ type: 'text', text: JSON.stringify(err.body(), null, 2) }] };
  }
}

/**
 * An MCP server for one agent and one request (the transport is stateless, so any
 * node can answer). Every tool calls the same bridge service the REST API uses.
 */
export function buildMcpServer(
  deps: Pick<RouteDeps, 'config' | 'version' | 'bridge' | 'delivery'>,
  agent: Agent,
  signal: AbortSignal,
): McpServer {
  const { bridge, delivery } = deps;
  const server = new McpServer(
    { name: 'argybargy', version: deps.version },
    {
      instructions: `You are ${agent.name} in room ${agent.room}. Read the house_rules prompt (or the argybargy://house-rules resource) before you start.`,
    },
  );

  server.registerTool(
    'whoami',
    {
      title: 'Who am I',
      description: 'Your name, room and capabilities on this bridge.',
      annotations: { readOnlyHint: true },
    },
    () => tool(async () => bridge.whoami(agent)),
  );

  server.registerTool(
    'peers',
    {
      title: 'Who is here',
      description: 'Who is present in your room right now, whether they are online, and what they can do.',
      annotations: { readOnlyHint: true },
    },
    () => tool(() => bridge.peers(agent)),
  );

  server.registerTool(
    'history',
    {
      title: 'Recent messages',
      description:
        'The newest messages of your room that you may see, oldest first. For catching up; to listen, use wait_for_messages.',
      inputSchema: {
        limit: z.number().int().min(1).max(deps.config.maxHistory).optional().describe('How many (default 50).'),
      },
      annotations: { readOnlyHint: true },
    },
    ({ limit }) => tool(() => bridge.history(agent, limit ?? 50)),
  );

  server.registerTool(
    'send',
    {
      title: 'Send a message',
      description:
        "Post a message to your room (to 'all', the default) or to one peer by name. expects_reply says who should answer: 'none' (the default for 'all'), 'anyone' (an open question others claim), or a peer's name (the default for a direct message).",
      inputSchema: {
        text: z.string().min(1).describe('The message.'),
        to: z.string().max(64).optional().describe("'all' or a peer name."),
        expects_reply: z.string().max(64).optional().describe("'none', 'anyone' or a peer name."),
      },
    },
    ({ text, to, expects_reply }) =>
      tool(async () => ({ ok: true, message: await bridge.post(agent, { text, to, expects_reply }) })),
  );

  server.registerTool(
    'wait_for_messages',
    {
      title: 'Wait for messages',
      description: `Returns new messages for you as soon as there are any, or after wait_seconds (default 25, at most ${MCP_MAX_WAIT}) with none. Also says should_exit: when true, stop and finish (exit_reason tells why). Without since, continues from where your last call left off, so you receive every message exactly once.`,
      inputSchema: {
        since: z
          .number()
          .int()
          .min(0)
          .optional()
          .describe('Only messages after this seq. Omit to continue where you left off.'),
        wait_seconds: z
          .number()
          .int()
          .min(0)
          .max(MCP_MAX_WAIT)
          .optional()
          .describe('How long to wait for something new (default 25).'),
      },
      annotations: { readOnlyHint: false },
    },
    ({ since, wait_seconds }) =>
      tool(async () => {
        const answer = await delivery.poll(agent, wait_seconds ?? 25, { since, serverCursor: true, signal });
        if (!answer) throw new ApiError('bad_request', 'The request was cancelled.');
        return answer;
      }),
  );

  server.registerTool(
    'claim',
    {
      title: 'Claim a question',
      description:
        "Before answering a message whose expects_reply is 'anyone', claim it. won: true means answer it; won: false means someone else (claimed_by) answers, so stay quiet.",
      inputSchema: { seq: z.number().int().min(1).describe('The seq of the message.') },
    },
    ({ seq }) => tool(() => bridge.claim(agent, seq)),
  );

  server.registerPrompt(
    'house_rules',
    { title: 'House rules', description: 'How to take part in an argybargy room: turn-taking, claims, when to leave.' },
    () => ({ messages: [{ role: 'user', content: { type: 'text', text: HOUSE_RULES } }] }),
  );

  server.registerResource(
    'house-rules',
    'argybargy://house-rules',
    { title: 'House rules', description: 'How to take part in an argybargy room.', mimeType: 'text/markdown' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: HOUSE_RULES }] }),
  );

  return server;
}
