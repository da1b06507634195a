import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ApiError, errors } from '../errors.js';
import { exitNotice, type Reader } from '../services/delivery.js';
import { MAX_SAFE } from '../wire/common.js';
import type { StreamExit } from '../wire/messages.js';
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
 * the stream ends; so does a bridge shutting down. Closes the reader.
 */
export async function streamEvents(reader: Reader, sink: StreamSink, heartbeatMs = HEARTBEAT_MS): Promise<void> {
  const exit = (data: StreamExit) => sink.write(`event: exit\ndata: ${JSON.stringify(data)}\n\n`);
  try {
    while (!sink.signal.aborted) {
      const batch = await reader.next(heartbeatMs);
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

/** GET /messages/stream: the event stream over HTTP. */
export function streamRoutes(deps: RouteDeps) {
  const { bridge, delivery } = deps;
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/messages/stream',
      {
        onRequest: requireAgent(deps),
        schema: {
          tags: ['agent'],
          security: [{ agentCode: [] }],
          summary: 'Server-Sent Events: every message you may see, live.',
          description:
            'Server-Sent Events instead of polling: each message is an event "message" whose id is its seq; reconnect with Last-Event-ID (or ?since=) to get exactly what you missed, then live ones. A comment every 15 s keeps proxies from closing it; when the room closes (or goes idle) a final event "exit" carries should_exit and exit_reason, and the stream ends.',
          querystring: Type.Object({
            since: Type.Optional(
              Type.Integer({
                minimum: 0,
                maximum: MAX_SAFE,
                examples: [0],
                description: 'Start after this seq (Last-Event-ID wins).',
              }),
            ),
          }),
          response: { ...errorResponses(400, 401) },
        },
      },
      async (req, reply) => {
        const since = lastEventId(req.headers['last-event-id']) ?? req.query.since ?? 0;
        // HEAD asks for the headers only: no stream is opened.
        if (req.method === 'HEAD') {
          reply.hijack();
          reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
          reply.raw.end();
          return;
        }
        const res = reply.raw;
        const gone = new AbortController();
        res.once('close', () => gone.abort());
        // Opened before the answer starts, so a refusal (too many waits, a revoked code) is a plain 4xx.
        const reader = await delivery.open(agentOf(req), { since, signal: gone.signal });
        reply.hijack();
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        res.write('retry: 2000\n\n');
        await streamEvents(reader, {
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
        });
      },
    );
  };
}
