import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A stand-in for the Anthropic Messages API, for driving a real Claude Code
 * (`ANTHROPIC_BASE_URL=<stub url>`) deterministically: the "model" follows a script.
 *
 * Every conversation turn (a POST /v1/messages that offers tools) is answered with the
 * script step whose index is the number of assistant messages already in the
 * conversation, so a retried request gets the same answer and side calls (titles,
 * summaries: requests without tools) never move the script on. Steps either call one
 * tool (a `tool_use` block, stop_reason `tool_use`) or say something and end the turn.
 * Both streaming (Server-Sent Events) and plain JSON answers are spoken, and every
 * request is recorded for the test to inspect.
 */

/** One scripted answer. `before` runs (and is awaited) before the answer is sent. */
export type Step =
  | { tool: string; input?: Record<string, unknown>; before?: () => Promise<void> | void }
  | { say: string; before?: () => Promise<void> | void };

/** A request the stub received. */
export interface RecordedRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  /** The full URL path and query. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or undefined. */
  body: any;
  /** `turn`: a scripted conversation turn; `side`: a message request without tools. */
  kind: 'turn' | 'side' | 'count_tokens' | 'models' | 'hello' | 'unknown';
  /** For a turn: the script step it was answered with. */
  step?: number;
  /** Milliseconds since the stub started. */
  at: number;
}

/** A tool_result block Claude Code sent back, with the step whose tool_use it answers. */
export interface ToolResult {
  step: number;
  toolUseId: string;
  isError: boolean;
  /** The result's text (text blocks joined by newlines). */
  text: string;
  /** When the stub first saw it (milliseconds since the stub started). */
  at: number;
}

export interface ModelStub {
  url: string;
  requests: RecordedRequest[];
  /** Requests the stub did not recognise (method and path), for diagnosing a new Claude Code. */
  unknown: string[];
  /** The tool names offered in the first conversation turn (empty before it arrives). */
  toolsOffered(): string[];
  /** The result of the tool called at `step`, once Claude Code has sent it back. */
  toolResult(step: number): ToolResult | undefined;
  /** Resolves with the result of the tool called at `step` as soon as it arrives. */
  waitForToolResult(step: number, timeoutMs?: number): Promise<ToolResult>;
  close(): Promise<void>;
}

/** The tool_use id the stub gives the call at `step`. */
export const toolUseId = (step: number) => `toolu_stub_${String(step).padStart(3, '0')}`;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((b: any) => (b?.type === 'text' ? String(b.text) : ''))
    .filter(Boolean)
    .join('\n');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const apiError = (type: string, message: string) => ({ type: 'error', error: { type, message } });

/** The content blocks of one answer. */
type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: object };

function answer(res: ServerResponse, body: any, blocks: Block[], stopReason: 'end_turn' | 'tool_use', n: number) {
  const usage = { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const message = {
    id: `msg_stub_${n}`,
    type: 'message',
    role: 'assistant',
    model: String(body?.model ?? 'stub'),
    content: blocks,
    stop_reason: stopReason,
    stop_sequence: null,
    usage,
  };
  if (body?.stream !== true) {
    sendJson(res, 200, message);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const event = (type: string, data: object) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  event('message_start', {
    message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
  });
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      event('content_block_start', { index, content_block: { type: 'text', text: '' } });
      event('content_block_delta', { index, delta: { type: 'text_delta', text: block.text } });
    } else {
      event('content_block_start', { index, content_block: { ...block, input: {} } });
      event('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) },
      });
    }
    event('content_block_stop', { index });
  });
  event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 5 } });
  event('message_stop', {});
  res.end();
}

/** Starts the stub on a random loopback port. */
export async function startModelStub(script: Step[]): Promise<ModelStub> {
  const started = performance.now();
  const now = () => Math.round(performance.now() - started);
  const requests: RecordedRequest[] = [];
  const unknown: string[] = [];
  const results = new Map<number, ToolResult>();
  const waiters = new Set<() => void>();
  let answered = 0;

  /** Picks the tool_result blocks out of a conversation. */
  const collectResults = (messages: unknown) => {
    if (!Array.isArray(messages)) return;
    for (const m of messages) {
      if (m?.role !== 'user' || !Array.isArray(m.content)) continue;
      for (const block of m.content) {
        const match = block?.type === 'tool_result' && /^toolu_stub_(\d+)$/.exec(String(block.tool_use_id));
        if (!match) continue;
        const step = Number(match[1]);
        if (results.has(step)) continue;
        results.set(step, {
          step,
          toolUseId: block.tool_use_id,
          isError: block.is_error === true,
          text: textOf(block.content),
          at: now(),
        });
      }
    }
    for (const wake of waiters) wake();
  };

  const server = createServer(async (req, res) => {
    try {
      const raw = await readBody(req);
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = undefined;
      }
      const url = req.url ?? '/';
      const path = url.split('?')[0];
      const record: RecordedRequest = {
        method: req.method ?? 'GET',
        path,
        url,
        headers: req.headers,
        body,
        kind: 'unknown',
        at: now(),
      };
      requests.push(record);

      if ((req.method === 'HEAD' || req.method === 'GET') && path === '/api/hello') {
        // Claude Code's connectivity check (made only when nonessential traffic is allowed).
        record.kind = 'hello';
        sendJson(res, 200, { message: 'hello' });
        return;
      }
      if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
        record.kind = 'count_tokens';
        sendJson(res, 200, { input_tokens: Math.max(1, Math.ceil(raw.length / 4)) });
        return;
      }
      if (req.method === 'GET' && (path === '/v1/models' || path.startsWith('/v1/models/'))) {
        record.kind = 'models';
        const model = { type: 'model', id: 'claude-stub', display_name: 'Stub', created_at: '2026-01-01T00:00:00Z' };
        if (path === '/v1/models')
          sendJson(res, 200, { data: [model], has_more: false, first_id: model.id, last_id: model.id });
        else sendJson(res, 200, { ...model, id: decodeURIComponent(path.slice('/v1/models/'.length)) });
        return;
      }
      if (req.method === 'POST' && path === '/v1/messages') {
        if (!body || !Array.isArray(body.messages)) {
          sendJson(res, 400, apiError('invalid_request_error', 'messages: expected an array'));
          return;
        }
        collectResults(body.messages);
        const isTurn = Array.isArray(body.tools) && body.tools.length > 0;
        if (!isTurn) {
          record.kind = 'side';
          answer(res, body, [{ type: 'text', text: 'Stub.' }], 'end_turn', ++answered);
          return;
        }
        record.kind = 'turn';
        const step = body.messages.filter((m: any) => m?.role === 'assistant').length;
        record.step = step;
        const s = script[step];
        if (!s) {
          answer(res, body, [{ type: 'text', text: `The script has no step ${step}.` }], 'end_turn', ++answered);
          return;
        }
        await s.before?.();
        if ('tool' in s) {
          const block: Block = { type: 'tool_use', id: toolUseId(step), name: s.tool, input: s.input ?? {} };
          answer(res, body, [block], 'tool_use', ++answered);
        } else {
          answer(res, body, [{ type: 'text', text: s.say }], 'end_turn', ++answered);
        }
        return;
      }
      unknown.push(`${req.method} ${url}`);
      sendJson(res, 404, apiError('not_found_error', `The model stub does not serve ${req.method} ${path}.`));
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, apiError('api_error', String(e)));
      else res.destroy();
    }
  });

  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    unknown,
    toolsOffered() {
      const first = requests.find((r) => r.kind === 'turn');
      return (first?.body.tools ?? []).map((t: { name: string }) => t.name);
    },
    toolResult: (step) => results.get(step),
    waitForToolResult(step, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const r = results.get(step);
          if (!r) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(r);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no tool_result for step ${step} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
