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

/** A URL as logs show it: the value of a `ticket` (a single-use credential) is blanked. */
export function loggableUrl(url: string): string {
  return url.replace(/([?&]ticket=)[^&#]*/gi, '$1[redacted]');
}

/** How requests are logged: method, URL (credentials blanked), host and peer; never headers or bodies. */
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
