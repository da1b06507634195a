import type { Config } from './config.js';

/**
 * Paths pino blanks in every log line. The request serializer logs no headers and
 * no bodies, so these are a second line of defence: a code, the admin token or a
 * message's text must never reach a log, whoever logs what later.
 */
export const REDACT = [
  'req.headers.authorization',
  'req.headers["x-admin-token"]',
  'headers.authorization',
  'headers["x-admin-token"]',
  'body.text',
  '*.admin_token',
  '*.code',
  '*.secret',
];

const REDACTED = '[redacted]';

/**
 * Query keys whose values logs may show: the API's own harmless parameters (cursors,
 * timeouts, limits, names). Every other value is blanked, because a client that
 * wrongly sends a code or token in the URL (`?code=`, `?t=`, `?token=`, a stream
 * `ticket`, OAuth's `code`) must not get it into the request log.
 */
const HARMLESS_QUERY_KEYS = new Set(['since', 'wait', 'limit', 'room', 'class', 'name']);

/** A key shown as itself: short and identifier-like; anything else could be a pasted secret. */
const SHOWN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;

/**
 * A URL as logs show it: the path, then the query's keys with their values blanked
 * (`[redacted]`) except for HARMLESS_QUERY_KEYS. A part without `=`, or a key that
 * does not look like a parameter name, is blanked whole: it may be a bare secret.
 */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .filter((p) => p !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq < 0) return REDACTED;
      const key = part.slice(0, eq);
      if (!SHOWN_KEY.test(key)) return `${REDACTED}=${REDACTED}`;
      return HARMLESS_QUERY_KEYS.has(key) ? `${key}=${part.slice(eq + 1, eq + 1 + 64)}` : `${key}=${REDACTED}`;
    });
  return parts.length > 0 ? `${url.slice(0, q)}?${parts.join('&')}` : url.slice(0, q);
}

/** How requests are logged: method, URL (query values blanked, see loggableUrl), host and peer; never headers or bodies. */
export const serializers = {
  req(req: {
    method: string;
    url: string;
    headers?: Record<string, unknown>;
    socket?: { remoteAddress?: string; remotePort?: number };
  }) {
    return {
      method: req.method,
      url: loggableUrl(req.url),
      host: req.headers?.host,
      remoteAddress: req.socket?.remoteAddress,
      remotePort: req.socket?.remotePort,
    };
  },
};

/** Logger options: JSON lines, or a readable coloured format for a person at a terminal. */
export async function loggerOptions(config: Config, opts: { pretty: boolean }): Promise<Record<string, unknown>> {
  const base = { level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' }, serializers };
  if (!opts.pretty || config.logLevel === 'silent') return base;
  const { default: pretty } = await import('pino-pretty');
  return {
    ...base,
    stream: pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', sync: true }),
  };
}
