import type { FastifyError, FastifyInstance } from 'fastify';
import { findIllFormed } from '../../../domain/text.js';
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
  if (bad) throw errors.badRequest(`${bad} is not valid Unicode (it contains a lone surrogate). Send UTF-8 text.`);
  return value;
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

  app.setNotFoundHandler((req, reply) => {
    const e = errors.routeNotFound(req.method, req.url);
    reply.code(e.status).send(e.body());
  });

  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    const e = fromFastify(err, bodyLimit);
    if (e.status >= 500) req.log.error({ err }, 'request failed');
    reply.code(e.status).headers(e.headers).send(e.body());
  });
}

/** The catalog entry for a failed request: Fastify's own errors by their code, everything else by toApiError. */
function fromFastify(err: FastifyError | Error, bodyLimit: number): ApiError {
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
    if (status === 404) return errors.notFound(err.message);
    return errors.badRequest(err.message);
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
