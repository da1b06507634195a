import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findIllFormed, MAX_JSON_DEPTH } from '../../../domain/text.js';
import { ApiError, errors, toApiError } from '../../../errors.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a JSON body strictly: valid UTF-8, valid JSON, valid Unicode strings; empty means `{}`. */
function parseJsonBody(buf: Buffer): unknown {
  let text: string;
  try {
    text = UTF8.decode(buf);
  } catch {
    throw errors.badRequest('The request body is not valid UTF-8. Send JSON encoded as UTF-8.');
  }
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(
      `The request body is not valid JSON (${(e as Error).message}). Send a JSON object with Content-Type: application/json.`,
    );
  }
  const bad = findIllFormed(value);
  if (bad?.includes('nested deeper')) {
    throw errors.badRequest(
      `The request body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels. Send a flatter JSON object.`,
    );
  }
  if (bad) throw errors.badRequest(`${bad} is not valid Unicode (it contains a lone surrogate). Send UTF-8 text.`);
  return value;
}

/** The largest request body: room for a maximal message with every character escaped. */
export function bodyLimitFor(maxText: number): number {
  return Math.max(64 * 1024, maxText * 12 + 16 * 1024);
}

/** Maps every failure to a flat `{error, detail}` body; a client mistake is never a 5xx. */
export function registerErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  // Agents often forget the Content-Type header (curl -d sends form encoding), so
  // any body is read as JSON; one that is not JSON gets a 400 that says so.
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  // A POST without a body (curl -X POST .../close) is an empty object, so optional
  // bodies work and required fields are reported by name.
  app.addHook('preValidation', async (req) => {
    if (req.body === undefined || req.body === null) req.body = {};
  });

  // An unknown route is answered before its body is read: nothing waits on a body nobody wants.
  app.addHook('onRequest', async (req) => {
    if (req.is404) throw errors.routeNotFound(req.method, req.url);
  });
  app.setNotFoundHandler((req, reply) => {
    const e = errors.routeNotFound(req.method, req.url);
    closeUnlessRead(req, reply);
    reply.code(e.status).send(e.body());
  });

  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    const e = fromFastify(err, bodyLimit);
    closeUnlessRead(req, reply);
    if (e.status >= 500) req.log.error({ err }, 'request failed');
    reply.code(e.status).headers(e.headers).send(e.body());
  });
}

/**
 * Answers with `Connection: close` when the request's body has not been read (a
 * refusal before parsing): the connection then ends with the answer instead of
 * waiting, however slowly the client sends, for a body nobody will read.
 */
export function closeUnlessRead(req: FastifyRequest, reply: FastifyReply): void {
  if (!req.raw.complete) reply.header('connection', 'close');
}

/** The catalog entry for a failed request: Fastify's own errors by their code, everything else by toApiError. */
export function fromFastify(err: FastifyError | Error, bodyLimit: number): ApiError {
  if (!isFastifyError(err)) return toApiError(err);
  if (err.validation) {
    const where = err.validationContext ?? 'request';
    const first = err.validation[0];
    const field = first?.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
    const msg = first?.message ?? 'is invalid';
    const missing =
      first?.keyword === 'required'
        ? ` (${(first.params as { missingProperty?: string }).missingProperty} is required)`
        : '';
    return errors.badRequest(
      `Invalid ${where}: ${field ? `${field} ` : ''}${msg}${missing}. GET / describes every endpoint and its fields.`,
    );
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.badRequest(`${err.message}. Send a JSON object with Content-Type: application/json.`);
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    if (status === 413) return errors.payloadTooLarge(bodyLimit);
    if (status === 414) return errors.uriTooLong();
    if (status === 431) return errors.headersTooLarge();
    if (status === 404) return errors.notFound(err.message.slice(0, 200));
    return errors.badRequest(err.message.slice(0, 300));
  }
  return errors.internal();
}

/** True for the errors Fastify itself raises (validation, body parsing, limits), which carry a code or status. */
function isFastifyError(err: FastifyError | Error): err is FastifyError {
  if (err instanceof ApiError) return false;
  const e = err as FastifyError;
  return (
    e.validation !== undefined ||
    (typeof e.code === 'string' && e.code.startsWith('FST_')) ||
    typeof e.statusCode === 'number'
  );
}
