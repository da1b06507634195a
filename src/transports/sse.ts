import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError, errors } from '../errors.js';
import { type Batch, exitNotice, type Reader } from '../services/delivery.js';
import { MAX_SAFE } from '../wire/common.js';
import { type StreamExit, StreamTicket } from '../wire/messages.js';
import type { RouteDeps } from './http/deps.js';
import { agentOf, requireAgent } from './http/plugins/auth.js';
import { errorResponses } from './http/schemas.js';

/** Where the stream writes; `write` resolves once the chunk is accepted (backpressure). */
export interface StreamSink {
  write(chunk: string): Promise<void>;
  end(): void;
  signal: AbortSignal;
}

/** How often a write the client does not read checks that the agent's code still stands (ms). */
const ACCESS_CHECK_WHILE_BLOCKED_MS = 250;

/** How often a quiet stream sends a comment so proxies keep it open (ms). */
const HEARTBEAT_MS = 15_000;

/**
 * Encodes delivery as Server-Sent Events: every message the reader yields, each
 * an event `message` whose id is its seq (so a reconnect with Last-Event-ID resumes
 * exactly). A quiet stream sends a comment every `heartbeatMs`; a room that closes
 * (or goes idle) and a code that is revoked or expires get a final `exit` event, and
 * the stream ends; so does a bridge shutting down. `first`, when given, is the
 * batch already read. Closes the reader.
 */
export async function streamEvents(
  reader: Reader,
  sink: StreamSink,
  heartbeatMs = HEARTBEAT_MS,
  first: Batch | null = null,
): Promise<void> {
  const exit = (data: StreamExit) => sink.write(`event: exit\ndata: ${JSON.stringify(data)}\n\n`);
  let pending = first;
  try {
    while (!sink.signal.aborted) {
      // The first batch may already have been read (to tell a closed room from an open one).
      const batch = pending ?? (await reader.next(heartbeatMs));
      pending = null;
      if (!batch) break;
      for (const m of batch.messages) {
        // A revocation that lands while a long batch goes out ends it here.
        await reader.checkAccess();
        await sink.write(`id: ${m.seq}\nevent: message\ndata: ${JSON.stringify(m)}\n\n`);
      }
      if (batch.budget.should_exit) {
        await exit(exitNotice(batch));
        break;
      }
      if (batch.shutdown) break;
      if (batch.messages.length === 0) await sink.write(': keepalive\n\n');
    }
  } catch (e) {
    // The code was revoked or expired: say so, and end.
    if (!(e instanceof ApiError && e.code === 'unauthorized')) throw e;
    const reason = typeof e.extra.reason === 'string' ? e.extra.reason : 'access_revoked';
    await exit({ should_exit: true, exit_reason: reason, cursor: reader.cursor, detail: e.detail });
  } finally {
    reader.close();
    sink.end();
  }
}

/** Reads a Last-Event-ID header: the seq of the last event received; throws 400 when it is not one. */
function lastEventId(header: string | string[] | undefined): number | null {
  if (typeof header !== 'string' || header.trim() === '') return null;
  const v = header.trim();
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) {
    throw errors.badRequest('Last-Event-ID must be the seq of the last event you received.');
  }
  return n;
}

/**
 * GET /messages/stream: the event stream over HTTP, and POST /messages/stream/ticket
 * for clients that cannot send a header (a browser's EventSource).
 */
export function streamRoutes(deps: RouteDeps) {
  const { bridge, delivery } = deps;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const security = [{ agentCode: [] }];

    app.post(
      '/messages/stream/ticket',
      {
        onRequest: requireAgent(deps),
        schema: {
          tags: ['agent'],
          security,
          summary: 'A single-use ticket to open the event stream without a header.',
          description:
            "For a browser's EventSource, which cannot send a header: a ticket good for one GET /messages/stream?ticket=<ticket> within expires_in seconds, so your code never goes in a URL.",
          response: {
            200: StreamTicket,
            ...errorResponses(401),
          },
        },
      },
      async (req) => bridge.issueTicket(agentOf(req)),
    );

    app.get(
      '/messages/stream',
      {
        onRequest: requireAgent(deps, { ticket: true }),
        schema: {
          tags: ['agent'],
          security,
          summary: 'Server-Sent Events: every message you may see, live.',
          description:
            'Server-Sent Events instead of polling: each message is an event "message" whose id is its seq; reconnect with Last-Event-ID (or ?since=) to get exactly what you missed, then live ones. A comment every 15 s keeps proxies from closing it; when the room closes (or goes idle) a final event "exit" carries should_exit and exit_reason, and the stream ends; a room already closed answers 204, which ends EventSource reconnection. A browser without headers passes ?ticket= from POST /messages/stream/ticket.',
          querystring: Type.Object({
            since: Type.Optional(
              Type.Integer({
                minimum: 0,
                maximum: MAX_SAFE,
                examples: [0],
                description: 'Start after this seq (Last-Event-ID wins).',
              }),
            ),
            ticket: Type.Optional(
              Type.String({ maxLength: 128, description: 'A single-use ticket instead of the Authorization header.' }),
            ),
          }),
          response: { ...errorResponses(400, 401) },
        },
      },
      async (req, reply) => {
        const since = lastEventId(req.headers['last-event-id']) ?? req.query.since ?? 0;
        const res = reply.raw;
        // What Fastify's plugins set (CORS) goes out on the hijacked answer too.
        const head = (status: number, headers: Record<string, string> = {}) =>
          res.writeHead(status, { ...(reply.getHeaders() as Record<string, string>), ...headers });
        const sse = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform' };
        // HEAD asks for the headers only: no stream is opened.
        if (req.method === 'HEAD') {
          reply.hijack();
          head(200, sse);
          res.end();
          return;
        }
        const gone = new AbortController();
        res.once('close', () => gone.abort());
        // Opened before the answer starts, so a refusal (too many waits, a revoked code) is a plain 4xx.
        const reader = await delivery.open(agentOf(req), { since, signal: gone.signal });
        const first = await reader.next(0).catch((e) => {
          reader.close();
          throw e;
        });
        reply.hijack();
        if (first?.budget.should_exit && first.messages.length === 0) {
          // Nothing to say but goodbye: 204 is what makes an EventSource stop reconnecting.
          reader.close();
          head(204);
          res.end();
          return;
        }
        head(200, { ...sse, connection: 'keep-alive', 'x-accel-buffering': 'no' });
        res.write('retry: 2000\n\n');
        await streamEvents(
          reader,
          {
            signal: gone.signal,
            write: (chunk) =>
              new Promise<void>((resolve) => {
                if (gone.signal.aborted || res.write(chunk)) return resolve();
                // A client that does not read holds the write; if the code is revoked
                // meanwhile, the connection is cut instead of waiting for it.
                const check = setInterval(() => {
                  reader.checkAccess().catch(() => res.destroy());
                }, ACCESS_CHECK_WHILE_BLOCKED_MS);
                const done = () => {
                  clearInterval(check);
                  res.off('drain', done);
                  gone.signal.removeEventListener('abort', done);
                  resolve();
                };
                res.once('drain', done);
                gone.signal.addEventListener('abort', done, { once: true });
              }),
            end: () => {
              if (!res.writableEnded) res.end();
            },
          },
          HEARTBEAT_MS,
          first,
        );
      },
    );
  };
}
