import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { type IntRange, readInt, readSeconds } from './config-numbers.js';

/** Log levels the bridge accepts; `warning` is read as `warn`. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Every tunable of the bridge, read once from the environment and frozen. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly rateMax: number;
  readonly rateWindowSeconds: number;
  readonly maxMessagesPerRoom: number;
  readonly maxText: number;
  readonly maxWait: number;
  readonly maxHistory: number;
  readonly onlineWindow: number;
  readonly maxIdleSeconds: number;
  /** Seconds a claim holds unless the question asked for its own claim_lease; 0: for good (the original's claims). */
  readonly claimLeaseSeconds: number;
  readonly hashCodes: boolean;
  readonly docs: boolean;
  readonly maxRooms: number;
  readonly maxCodes: number;
  readonly corsOrigins: readonly string[];
  readonly logLevel: LogLevel;
  /** PostgreSQL for the durable store (cluster mode); null: embedded SQLite. */
  readonly databaseUrl: string | null;
  /** Redis for live state shared by every node; null: in-memory. */
  readonly redisUrl: string | null;
  /** Prefix of every Redis key and channel. */
  readonly redisPrefix: string;
  /** A separate secret for GET /metrics (Authorization: Bearer), or null: the admin token only. */
  readonly metricsToken: string | null;
  /** Readers (long-polls, streams, MCP waits) one agent may have open at once on a node; 0 = no cap. */
  readonly maxParkedPerAgent: number;
  /** Connections (or, behind a trusted proxy, requests in flight) per client address; 0 = no cap. */
  readonly maxConnectionsPerAddress: number;
  /** Which proxies' X-Forwarded-For is believed: proxy-addr names, addresses and CIDR ranges; empty = none. */
  readonly trustProxy: readonly string[];
  /** Failed sign-ins an address may make per minute before it is held back; 0 = no limit. */
  readonly authFailuresPerMinute: number;
  /** Seconds a client has to send a whole request (headers: at most 10 of them). */
  readonly requestTimeoutSeconds: number;
  /** Let webhooks reach loopback, private, link-local and metadata addresses. */
  readonly webhookAllowPrivate: boolean;
}

/** A bad environment value; the message names the variable and what it expects. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function raw(env: Env, name: string): string | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

/**
 * A whole-number setting, read as the original read it (Python `int()`: "+5", " 7 ",
 * "1_000" and numbers of any size are whole numbers). Below `min` is refused with
 * the variable named; above `max` is refused, or with `clamp` counts as `max` (a
 * limit set that high is no limit in practice: README, Configuration).
 */
function int(env: Env, name: string, dflt: number, range: IntRange): number {
  const v = raw(env, name);
  if (v === undefined) return dflt;
  const r = readInt(v, range);
  if (r.ok) return r.value;
  const expected = range.clamp ? `${range.min} or more` : `${range.min}..${range.max}`;
  const why =
    r.why === 'not-a-number'
      ? 'is not a whole number'
      : r.why === 'above'
        ? 'is out of range'
        : range.min === 0
          ? 'is negative, which means nothing here'
          : `is below ${range.min}, which means nothing here`;
  throw new ConfigError(name, `${name}=${JSON.stringify(v)} ${why} (expected ${expected}).`);
}

/** A number of seconds above 0 (fractions allowed); more than `max` counts as `max`. */
function seconds(env: Env, name: string, dflt: number, max: number): number {
  const v = raw(env, name);
  if (v === undefined) return dflt;
  const r = readSeconds(v, max);
  if (r.ok) return r.value;
  throw new ConfigError(name, `${name}=${JSON.stringify(v)} must be a number of seconds above 0.`);
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

function bool(env: Env, name: string, dflt: boolean): boolean {
  const v = raw(env, name);
  if (v === undefined) return dflt;
  const l = v.toLowerCase();
  if (TRUE.has(l)) return true;
  if (FALSE.has(l)) return false;
  throw new ConfigError(name, `${name}=${JSON.stringify(v)} is not a boolean (use 1 or 0).`);
}

const LEVELS: Record<string, LogLevel> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  fatal: 'fatal',
  silent: 'silent',
};

function logLevel(env: Env): LogLevel {
  const v = raw(env, 'ARGYBARGY_LOG_LEVEL');
  if (v === undefined) return 'info';
  const level = LEVELS[v.toLowerCase()];
  if (!level) {
    throw new ConfigError(
      'ARGYBARGY_LOG_LEVEL',
      `ARGYBARGY_LOG_LEVEL=${JSON.stringify(v)} is not a log level (use debug, info, warn, error or silent).`,
    );
  }
  return level;
}

function origins(env: Env): string[] {
  const v = raw(env, 'ARGYBARGY_CORS_ORIGINS');
  if (v === undefined) return [];
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const o of list) {
    if (o === '*') continue;
    let ok = false;
    try {
      const u = new URL(o);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o.replace(/\/$/, '');
    } catch {
      ok = false;
    }
    if (!ok) {
      throw new ConfigError(
        'ARGYBARGY_CORS_ORIGINS',
        `ARGYBARGY_CORS_ORIGINS has ${JSON.stringify(o)}, which is not an origin like https://app.example.com (or *).`,
      );
    }
  }
  return list.map((o) => o.replace(/\/$/, ''));
}

function serviceUrl(env: Env, name: string, schemes: string[], example: string): string | null {
  const v = raw(env, name);
  if (v === undefined) return null;
  let ok = false;
  try {
    ok = schemes.includes(new URL(v).protocol);
  } catch {
    ok = false;
  }
  if (!ok) throw new ConfigError(name, `${name} must be a URL like ${example}.`);
  return v;
}

function prefix(env: Env): string {
  const v = raw(env, 'ARGYBARGY_REDIS_PREFIX') ?? 'argybargy:';
  if (!/^[\w:.-]{1,64}$/.test(v)) {
    throw new ConfigError(
      'ARGYBARGY_REDIS_PREFIX',
      'ARGYBARGY_REDIS_PREFIX may hold letters, digits, _ : . - (at most 64).',
    );
  }
  return v;
}

function host(env: Env): string {
  const v = raw(env, 'ARGYBARGY_HOST') ?? '127.0.0.1';
  if (/\s|\//.test(v)) {
    throw new ConfigError('ARGYBARGY_HOST', `ARGYBARGY_HOST=${JSON.stringify(v)} is not a host name or address.`);
  }
  return v;
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * ARGYBARGY_TRUST_PROXY: `loopback` by default (a tunnel or reverse proxy on the same
 * machine); `none` (or 0/false/off) trusts nobody; else a comma-separated list of
 * loopback, linklocal, uniquelocal, addresses and CIDR ranges.
 */
function trustProxy(env: Env): string[] {
  const v = raw(env, 'ARGYBARGY_TRUST_PROXY');
  if (v === undefined) return ['loopback'];
  if (FALSE.has(v.toLowerCase()) || v.toLowerCase() === 'none') return [];
  const list = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const item of list) {
    const [addr, bits] = item.split('/');
    const kind = isIP(addr);
    const okBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (kind === 6 ? 128 : 32));
    if (!(PROXY_NAMES.has(item.toLowerCase()) || (kind !== 0 && okBits))) {
      throw new ConfigError(
        'ARGYBARGY_TRUST_PROXY',
        `ARGYBARGY_TRUST_PROXY has ${JSON.stringify(item)}; use loopback, linklocal, uniquelocal, an address, a CIDR range, or none.`,
      );
    }
  }
  return list.map((x) => (PROXY_NAMES.has(x.toLowerCase()) ? x.toLowerCase() : x));
}

/** Expands a leading `~` to the home directory and makes the path absolute. */
function expandHome(p: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return resolve(p);
}

/**
 * The URL a bridge bound to `host`:`port` is reached at from this machine: a
 * wildcard bind (0.0.0.0, ::) on 127.0.0.1, an IPv6 address in brackets.
 */
export function localUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

const DAY = 86_400;
const NO_LIMIT = 1_000_000_000;

/**
 * The range of every whole-number setting. Below `min` means nothing and stops
 * start-up; above `max` counts as `max` (the original took any size, and a huge value
 * is how operators switch a limit off: the top is far beyond any real use, and keeps
 * timers, SQL parameters and body limits safe), except for the port, where it stops
 * start-up too.
 */
export const INT_SETTINGS = {
  ARGYBARGY_PORT: { min: 0, max: 65_535, clamp: false },
  ARGYBARGY_RATE_MAX: { min: 0, max: NO_LIMIT, clamp: true },
  ARGYBARGY_MAX_MESSAGES_PER_ROOM: { min: 0, max: NO_LIMIT, clamp: true },
  // The request body limit is about 12 bytes a character (JSON escapes), so 12 MB here.
  ARGYBARGY_MAX_TEXT: { min: 1, max: 1_000_000, clamp: true },
  ARGYBARGY_MAX_WAIT: { min: 0, max: DAY, clamp: true },
  ARGYBARGY_MAX_HISTORY: { min: 1, max: 100_000, clamp: true },
  ARGYBARGY_ONLINE_WINDOW: { min: 0, max: NO_LIMIT, clamp: true },
  ARGYBARGY_MAX_IDLE_SECONDS: { min: 0, max: NO_LIMIT, clamp: true },
  ARGYBARGY_CLAIM_LEASE_SECONDS: { min: 0, max: NO_LIMIT, clamp: true },
  ARGYBARGY_MAX_ROOMS: { min: 0, max: NO_LIMIT, clamp: true },
  ARGYBARGY_MAX_CODES: { min: 0, max: NO_LIMIT, clamp: true },
  ARGYBARGY_MAX_PARKED_PER_AGENT: { min: 0, max: 1_000_000, clamp: true },
  ARGYBARGY_MAX_CONNECTIONS_PER_ADDRESS: { min: 0, max: 10_000_000, clamp: true },
  ARGYBARGY_AUTH_FAILURES: { min: 0, max: NO_LIMIT, clamp: true },
} as const satisfies Record<string, IntRange>;

/**
 * The most seconds each seconds setting uses; more counts as this. The rate window's
 * top (24 days) is the longest timer Node.js keeps, which the in-memory limiter uses.
 */
export const SECONDS_MAX = {
  ARGYBARGY_RATE_WINDOW: 24 * DAY,
  ARGYBARGY_REQUEST_TIMEOUT: 3600,
} as const;

type IntSetting = keyof typeof INT_SETTINGS;

function setting(env: Env, name: IntSetting, dflt: number): number {
  return int(env, name, dflt, INT_SETTINGS[name]);
}

/** Reads and validates every ARGYBARGY_* variable; throws ConfigError naming the bad one. */
export function loadConfig(env: Env = process.env): Config {
  return Object.freeze({
    host: host(env),
    port: setting(env, 'ARGYBARGY_PORT', 8765),
    dataDir: expandHome(raw(env, 'ARGYBARGY_DATA') ?? '~/.argybargy'),
    rateMax: setting(env, 'ARGYBARGY_RATE_MAX', 10),
    rateWindowSeconds: seconds(env, 'ARGYBARGY_RATE_WINDOW', 10, SECONDS_MAX.ARGYBARGY_RATE_WINDOW),
    maxMessagesPerRoom: setting(env, 'ARGYBARGY_MAX_MESSAGES_PER_ROOM', 2000),
    maxText: setting(env, 'ARGYBARGY_MAX_TEXT', 8000),
    maxWait: setting(env, 'ARGYBARGY_MAX_WAIT', 25),
    maxHistory: setting(env, 'ARGYBARGY_MAX_HISTORY', 500),
    onlineWindow: setting(env, 'ARGYBARGY_ONLINE_WINDOW', 60),
    maxIdleSeconds: setting(env, 'ARGYBARGY_MAX_IDLE_SECONDS', 1800),
    // Ten minutes: longer than an agent's turn (reading, thinking, a few tool calls),
    // so a working claimer is never cut off, yet a claimer that died hands its
    // question back well within an operator's session. 0 keeps the original's forever-claims.
    claimLeaseSeconds: setting(env, 'ARGYBARGY_CLAIM_LEASE_SECONDS', 600),
    hashCodes: bool(env, 'ARGYBARGY_HASH_CODES', false),
    docs: bool(env, 'ARGYBARGY_DOCS', true),
    maxRooms: setting(env, 'ARGYBARGY_MAX_ROOMS', 0),
    maxCodes: setting(env, 'ARGYBARGY_MAX_CODES', 0),
    corsOrigins: Object.freeze(origins(env)),
    logLevel: logLevel(env),
    databaseUrl: serviceUrl(
      env,
      'ARGYBARGY_DATABASE_URL',
      ['postgres:', 'postgresql:'],
      'postgres://user@host:5432/argybargy',
    ),
    redisUrl: serviceUrl(env, 'ARGYBARGY_REDIS_URL', ['redis:', 'rediss:'], 'redis://host:6379'),
    redisPrefix: prefix(env),
    metricsToken: raw(env, 'ARGYBARGY_METRICS_TOKEN') ?? null,
    maxParkedPerAgent: setting(env, 'ARGYBARGY_MAX_PARKED_PER_AGENT', 32),
    maxConnectionsPerAddress: setting(env, 'ARGYBARGY_MAX_CONNECTIONS_PER_ADDRESS', 256),
    trustProxy: Object.freeze(trustProxy(env)),
    authFailuresPerMinute: setting(env, 'ARGYBARGY_AUTH_FAILURES', 50),
    requestTimeoutSeconds: seconds(env, 'ARGYBARGY_REQUEST_TIMEOUT', 30, SECONDS_MAX.ARGYBARGY_REQUEST_TIMEOUT),
    webhookAllowPrivate: bool(env, 'ARGYBARGY_WEBHOOK_PRIVATE', false),
  });
}
