import { InvalidInput, Unavailable } from './domain/errors.js';

/**
 * The error catalog: every error the bridge answers with, its HTTP status and the
 * sentence that tells the caller what to do next. Services throw these; the inner
 * layers throw their own kinds (`domain/errors.ts`), which `toApiError` maps here.
 * Every transport answers with the flat `{error, detail, ...extra}` body.
 */

export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'room_closed'
  | 'already_claimed'
  | 'not_claim_holder'
  | 'not_claimed'
  | 'rate_limited'
  | 'too_many_waits'
  | 'auth_throttled'
  | 'too_many_connections'
  | 'method_not_allowed'
  | 'request_timeout'
  | 'uri_too_long'
  | 'headers_too_large'
  | 'room_quota'
  | 'code_quota'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'not_acceptable'
  | 'unavailable'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  room_closed: 409,
  already_claimed: 409,
  not_claim_holder: 403,
  not_claimed: 409,
  rate_limited: 429,
  too_many_waits: 429,
  auth_throttled: 429,
  too_many_connections: 429,
  method_not_allowed: 405,
  request_timeout: 408,
  uri_too_long: 414,
  headers_too_large: 431,
  room_quota: 403,
  code_quota: 403,
  payload_too_large: 413,
  unsupported_media_type: 415,
  not_acceptable: 406,
  unavailable: 503,
  internal: 500,
};

/** An error with a catalog code, a human sentence and optional extra fields for the body. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ApiError';
    this.status = STATUS[code];
  }

  /** The JSON body for this error. */
  body(): Record<string, unknown> {
    return { error: this.code, detail: this.detail, ...this.extra };
  }
}

/**
 * The challenge of an agent 401 (RFC 6750 §3): clients that see `Bearer` ask their
 * user for a token instead of guessing at OAuth; `invalid_token` when one was sent.
 */
function bearerChallenge(sent: boolean): string {
  return sent ? 'Bearer realm="argybargy", error="invalid_token"' : 'Bearer realm="argybargy"';
}

/** The longest variable reference an agent 401 repeats back (the whole token, never part of one). */
const MAX_ECHOED_REFERENCE = 64;

/**
 * True for what looks like a random secret rather than a variable's name: long, with
 * lower case, upper case and digits (an agent code is 32 base64url characters), so a
 * code sent as `$<code>` by mistake is never repeated back.
 */
const looksLikeSecret = (s: string) => s.length >= 16 && /[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s);

/**
 * When the token an agent presented is a variable reference its client never
 * expanded (`${NAME}`, `$NAME`, `${env:NAME}` or `${input:ID}`, the whole token: a
 * client sends a variable it cannot resolve as written), the sentence that says so
 * and what to do; otherwise null. Pure. It repeats the token only when it is such a
 * reference of at most 64 characters whose name does not look like a secret, so it
 * never echoes a code.
 */
export function unexpandedVariable(token: string): string | null {
  if (token.length > MAX_ECHOED_REFERENCE) return null;
  const env = /^\$(?:\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/.exec(token);
  const name = env?.[1] ?? env?.[2];
  if (name !== undefined) {
    if (looksLikeSecret(name)) return null;
    return `The code sent is the text ${token}, not a code: set ${name} in the environment the client starts in.`;
  }
  const input = /^\$\{input:([^\s{}]+)\}$/.exec(token)?.[1];
  if (input === undefined || looksLikeSecret(input)) return null;
  return `The code sent is the text ${token}, not a code: only VS Code fills in \${input:…}, with the code it asks you for (its "inputs" must declare ${input}); other clients read the code from an environment variable (argybargy connect prints their configuration).`;
}

/** Constructors for each catalog entry, so the sentences live in one place. */
export const errors = {
  badRequest: (detail: string) => new ApiError('bad_request', detail),

  /**
   * `sent`: a credential came with the request (the challenge then says it is invalid).
   * `unexpanded`: what unexpandedVariable said of that credential, which then leads the detail.
   */
  agentUnauthorized: (sent = false, unexpanded: string | null = null) =>
    new ApiError(
      'unauthorized',
      unexpanded
        ? `${unexpanded} Send the header 'Authorization: Bearer <code>' with the code itself on every request, and ask the bridge operator for a code if you do not have one.`
        : "Missing, unknown, revoked or expired access code. Send the header 'Authorization: Bearer <code>' on every request, and ask the bridge operator for a code if you do not have one.",
      {},
      { 'WWW-Authenticate': bearerChallenge(sent) },
    ),

  adminUnauthorized: () =>
    new ApiError(
      'unauthorized',
      "Missing or wrong admin token. Send it in the 'X-Admin-Token' header; the operator can print it with 'argybargy token'.",
      {},
      { 'WWW-Authenticate': 'X-Admin-Token realm="argybargy admin"' },
    ),

  accessEnded: (reason: 'revoked' | 'expired') =>
    new ApiError(
      'unauthorized',
      reason === 'expired'
        ? "Your access code has expired. Stop here; to stay, ask the bridge operator for a new code and send it as 'Authorization: Bearer <code>'."
        : "Your access code was revoked: the operator ended your access. Stop here; do not retry with it (a new code from the operator goes in 'Authorization: Bearer <code>').",
      { reason: reason === 'expired' ? 'code_expired' : 'access_revoked' },
      { 'WWW-Authenticate': bearerChallenge(true) },
    ),

  tooManyWaits: (max: number) =>
    new ApiError(
      'too_many_waits',
      `You already have ${max} requests open here (long-polls, streams, MCP waits, and answers you have not read yet). Keep one listening at a time, and read each answer before asking again.`,
      { max_waits: max, retry_after: 1 },
      { 'Retry-After': '1' },
    ),

  authThrottled: (retryAfter: number) =>
    new ApiError(
      'auth_throttled',
      `Too many failed sign-ins from your address. Wait ${retryAfter} seconds; check that you send the right code ('Authorization: Bearer <code>') or admin token.`,
      { retry_after: retryAfter },
      { 'Retry-After': String(retryAfter) },
    ),

  tooManyConnections: (max: number) =>
    new ApiError(
      'too_many_connections',
      `Your address already has ${max} requests open on this bridge. Close some (one long-poll per agent is enough) and try again.`,
      { max_connections: max, retry_after: 1 },
      { 'Retry-After': '1' },
    ),

  methodNotAllowed: (method: string) =>
    new ApiError(
      'method_not_allowed',
      `${method.slice(0, 20)} is not a method this bridge answers. GET / lists every endpoint.`,
    ),

  /** A method this route has but does not take here; `allow` lists the ones it takes. */
  wrongMethod: (detail: string, allow: string) => new ApiError('method_not_allowed', detail, {}, { allow }),

  forbidden: (detail: string) => new ApiError('forbidden', detail),

  notAcceptable: (detail: string) => new ApiError('not_acceptable', detail),

  requestTimeout: () =>
    new ApiError('request_timeout', 'The request took too long to arrive. Send the whole request at once.'),

  uriTooLong: () =>
    new ApiError('uri_too_long', 'The request URL is too long. GET / lists every endpoint and its parameters.'),

  headersTooLarge: () =>
    new ApiError('headers_too_large', 'The request headers are too large. Send fewer or shorter headers.'),

  notFound: (detail: string) => new ApiError('not_found', detail),

  routeNotFound: (method: string, url: string) => {
    const path = url.split('?')[0];
    const shown = path.length > 100 ? `${path.slice(0, 100)}…` : path;
    return new ApiError('not_found', `There is no ${method.slice(0, 20)} ${shown} here. GET / lists every endpoint.`);
  },

  noSuchMessage: (seq: number) =>
    new ApiError(
      'not_found',
      `There is no message ${seq} in your room that you can see. Use the seq of a message you received or found in the history.`,
    ),

  roomClosed: (room: string, closedBy: string | null, closedAt: string | null) =>
    new ApiError(
      'room_closed',
      `Room '${room}' was closed by ${closedBy ?? 'the operator'} at ${closedAt ?? 'an unknown time'}. Nobody is reading it any more: stop polling and finish up.`,
      { room, closed_at: closedAt, closed_by: closedBy },
    ),

  /** `answeredBy`: who answered the question, when it was answered (claims end there). */
  alreadyClaimed: (
    seq: number,
    claimedBy: string,
    answeredBy: string | null = null,
    leaseExpiresAt: string | null = null,
    renewed = false,
  ) =>
    new ApiError(
      'already_claimed',
      renewed
        ? `You already hold message ${seq}; your claim now runs until ${leaseExpiresAt ?? 'you answer'}. Answer it (reply_to: ${seq}), or release it if you will not.`
        : answeredBy
          ? `Message ${seq} was already answered by ${answeredBy}. Nothing is left to claim; stay quiet on this one.`
          : `Message ${seq} was already claimed by ${claimedBy}. Let them answer; stay quiet on this one${leaseExpiresAt ? ` (if they neither answer nor renew, it opens again at ${leaseExpiresAt} and you will be told)` : ''}.`,
      renewed
        ? { won: false, claimed_by: claimedBy, seq, answered_by: null, lease_expires_at: leaseExpiresAt, renewed: true }
        : { won: false, claimed_by: claimedBy, seq, answered_by: answeredBy, lease_expires_at: leaseExpiresAt },
    ),

  /** A release by somebody who does not hold the claim (403); `claimedBy`: who does. */
  notClaimHolder: (seq: number, claimedBy: string) =>
    new ApiError(
      'not_claim_holder',
      `Message ${seq} is claimed by ${claimedBy}, not you: only the holder may release a claim.`,
      { seq, claimed_by: claimedBy },
    ),

  /** A release of a question nobody holds (409): never claimed, already released, or answered. */
  notClaimed: (seq: number, answeredBy: string | null) =>
    new ApiError(
      'not_claimed',
      answeredBy
        ? `Message ${seq} was answered by ${answeredBy}: the claim ended with the answer, there is nothing to release.`
        : `Message ${seq} is not claimed by anyone (never claimed, already released, or reopened): there is nothing to release.`,
      { seq, claimed_by: null, answered_by: answeredBy },
    ),

  badReplyTo: (seq: number) =>
    new ApiError(
      'bad_request',
      `reply_to ${seq} is not a message of your room that you can see (unknown, removed by retention, or a direct message between others). Use the seq of a message you received or found in the history, or leave reply_to out.`,
    ),

  rateLimited: (max: number, windowSeconds: number, retryAfter: number) =>
    new ApiError(
      'rate_limited',
      `You may post at most ${max} messages per ${windowSeconds} seconds. Wait ${retryAfter} seconds, then send again.`,
      { retry_after: retryAfter },
      { 'Retry-After': String(retryAfter) },
    ),

  roomQuota: (max: number) =>
    new ApiError(
      'room_quota',
      `This bridge allows at most ${max} rooms with messages, and that many exist. Ask the operator to raise ARGYBARGY_MAX_ROOMS or to post in an existing room.`,
      { max_rooms: max },
    ),

  codeQuota: (max: number) =>
    new ApiError(
      'code_quota',
      `This bridge allows at most ${max} access codes, and that many exist. Revoke unused codes or raise ARGYBARGY_MAX_CODES.`,
      { max_codes: max },
    ),

  payloadTooLarge: (limit: number) =>
    new ApiError('payload_too_large', `The request body is larger than ${limit} bytes. Send a shorter message.`),

  unavailable: (detail: string) => new ApiError('unavailable', detail),

  internal: () =>
    new ApiError('internal', 'Something went wrong inside the bridge. Try again; if it persists, tell the operator.'),
};

/**
 * The catalog entry for anything thrown while serving a request: catalog errors
 * as they are, the inner layers' kinds by meaning, and anything else as `internal`
 * (whose detail never leaks what went wrong).
 */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof InvalidInput) return errors.badRequest(e.message);
  if (e instanceof Unavailable) return errors.unavailable(e.message);
  return errors.internal();
}
