import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../../config.js';
import { clientKey } from '../../../domain/addresses.js';
import { type ApiError, errors } from '../../../errors.js';

/** Headers must arrive within this many ms (at most the request timeout). */
export const HEADERS_TIMEOUT_MS = 10_000;

/** Writes a catalog error as a whole HTTP answer on a raw socket and closes it. */
function answerRaw(socket: Socket, e: ApiError): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(e.body());
  const head = [
    `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(e.headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  socket.destroySoon?.();
}

/**
 * The server options that bound how long a client may take: to send its request
 * (headers within 10 s, the whole of it within ARGYBARGY_REQUEST_TIMEOUT), and to
 * read an answer: a connection on which nothing moves for longer than the longest
 * wait plus 35 s (a parked poll is quiet up to ARGYBARGY_MAX_WAIT; a stream sends a
 * comment every 15 s) is closed, so an answer nobody reads does not stay in memory.
 */
export function serverTimeouts(config: Config) {
  const request = Math.round(config.requestTimeoutSeconds * 1000);
  return {
    connectionTimeout: (Math.max(config.maxWait, 15) + 35) * 1000,
    requestTimeout: request,
    http: {
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, request),
      // How often Node looks for requests past their timeouts (its default is 30 s).
      connectionsCheckingInterval: 1000,
      // A request without a Host header is answered by the routes (with the catalog), not by Node.
      requireHostHeader: false,
    },
  };
}

/**
 * Fastify's clientErrorHandler: what never reached a route (a malformed request, an
 * unknown method, headers too large, a request too slow to arrive) still gets the
 * catalog's `{error, detail}`, and the connection ends.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
    socket.destroy();
    return;
  }
  answerRaw(socket, clientErrorFor(err.code));
}

/**
 * Fastify's frameworkErrors: what the router refuses before any route (a URL that
 * does not decode, a path parameter over the length limit) gets the catalog too,
 * never echoing the request back.
 */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const e =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? errors.uriTooLong()
      : errors.badRequest('The URL is not valid: a part of it does not decode. GET / lists every endpoint.');
  reply.code(e.status).headers(e.headers).send(e.body());
}

/** The catalog entry for an error Node's HTTP parser or its timeouts raised. */
function clientErrorFor(code: string | undefined): ApiError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return errors.headersTooLarge();
    case 'HPE_INVALID_METHOD':
      return errors.methodNotAllowed('That method');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return errors.requestTimeout();
    default:
      return errors.badRequest('The request is not valid HTTP/1.1.');
  }
}

/**
 * Bounds what one client address can hold open. Direct connections are counted
 * per remote address (ARGYBARGY_MAX_CONNECTIONS_PER_ADDRESS; the one over is
 * answered 429 and closed). A trusted proxy (ARGYBARGY_TRUST_PROXY) carries many
 * clients on its connections, so for those the requests in flight are counted per
 * forwarded client address instead. CONNECT, which the bridge does not proxy, is
 * answered 405.
 */
export function limitConnections(app: FastifyInstance, config: Config): void {
  app.server.on('connect', (_req, socket: Socket) => answerRaw(socket, errors.methodNotAllowed('CONNECT')));
  const cap = config.maxConnectionsPerAddress;
  if (cap === 0) return;
  const trusted = proxyAddr.compile([...config.trustProxy]);
  const sockets = new Map<string, number>();
  app.server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (!address || trusted(address, 0)) return;
    const n = (sockets.get(address) ?? 0) + 1;
    if (n > cap) {
      answerRaw(socket, errors.tooManyConnections(cap));
      return;
    }
    sockets.set(address, n);
    socket.once('close', () => {
      const left = (sockets.get(address) ?? 1) - 1;
      if (left > 0) sockets.set(address, left);
      else sockets.delete(address);
    });
  });

  const inFlight = new Map<string, number>();
  app.addHook('onRequest', async (req, reply) => {
    const peer = req.socket.remoteAddress;
    if (!peer || !trusted(peer, 0) || req.ip === peer) return;
    const address = clientKey(req.ip);
    const n = (inFlight.get(address) ?? 0) + 1;
    if (n > cap) throw errors.tooManyConnections(cap);
    inFlight.set(address, n);
    reply.raw.once('close', () => {
      const left = (inFlight.get(address) ?? 1) - 1;
      if (left > 0) inFlight.set(address, left);
      else inFlight.delete(address);
    });
  });
}
