import type { Redis as RedisClient } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { Unavailable } from '../domain/errors.js';
import type { PresenceEntry } from '../domain/roster.js';
import type { Cancels } from './cancels.js';
import type { Limiter, LimiterOptions, RateDecision } from './limiter.js';
import { agentKey, type Live } from './live.js';
import type { Presence } from './presence.js';
import { consumeOne, countFailure, type FailureCounters } from './rate.js';
import type { Tickets } from './tickets.js';
import { WaiterRegistry } from './waiters.js';
import type { LiveEvent, Waiter, Wakeups } from './wakeups.js';

/** Options for the cross-node Live. */
export interface RedisLiveOptions extends LimiterOptions {
  url: string;
  /** Prefix of every key and channel (ARGYBARGY_REDIS_PREFIX). */
  prefix: string;
}

/** Presence of a room is forgotten a day after anyone in it was last seen. */
const PRESENCE_TTL_SECONDS = 86_400;

/** The commands connection of one node, shared by its presence, limiter and wake-ups. */
class Commands {
  constructor(
    readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  /** Runs a command; while disconnected it fails fast with Unavailable (the offline queue is off). */
  async run<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if (this.redis.status !== 'ready') {
        throw new Unavailable('live', 'Live state (Redis) is unreachable right now. Try again in a moment.');
      }
      throw e;
    }
  }
}

/** Presence and dry spells in Redis hashes, seen by every node. */
class RedisPresence implements Presence {
  /** When this node last wrote each agent's presence; busy agents are written at most once a second. */
  private readonly touched = new Map<string, number>();

  constructor(private readonly c: Commands) {}

  async touch(room: string, name: string, nowMs: number): Promise<boolean> {
    const local = agentKey(room, name);
    const last = this.touched.get(local);
    // Seen here within the last second: presence is fresh enough and this is no first sight.
    if (last !== undefined && nowMs - last >= 0 && nowMs - last < 1000) return false;
    this.touched.set(local, nowMs);
    const k = this.c.key('presence', room);
    const res = await this.c.run(
      this.c.redis
        .multi()
        .hset(k, name, String(nowMs))
        .expire(k, PRESENCE_TTL_SECONDS)
        .sadd(this.c.key('presence-rooms'), room)
        .exec(),
    );
    return Number(res?.[0]?.[1] ?? 0) === 1;
  }

  async list(room?: string): Promise<PresenceEntry[]> {
    const rooms = room === undefined ? await this.c.run(this.c.redis.smembers(this.c.key('presence-rooms'))) : [room];
    const out: PresenceEntry[] = [];
    for (const rm of rooms) {
      const h = await this.c.run(this.c.redis.hgetall(this.c.key('presence', rm)));
      for (const [name, ts] of Object.entries(h)) out.push({ room: rm, name, lastSeen: Number(ts) });
    }
    return out;
  }

  async dryStart(room: string, name: string, nowMs: number): Promise<number> {
    const field = agentKey(room, name);
    const res = await this.c.run(
      this.c.redis.multi().hsetnx(this.c.key('dry'), field, String(nowMs)).hget(this.c.key('dry'), field).exec(),
    );
    return Number(res?.[1]?.[1] ?? nowMs);
  }

  async dryEnd(room: string, name: string): Promise<void> {
    await this.c.run(this.c.redis.hdel(this.c.key('dry'), agentKey(room, name)));
  }
}

/** The limits counted in Redis (rate-limiter-flexible's Redis backend), shared by every node. */
class RedisLimiter implements Limiter {
  private readonly limiter: RateLimiterRedis | null;
  private readonly failures: FailureCounters | null;

  constructor(
    private readonly c: Commands,
    opts: RedisLiveOptions,
  ) {
    this.limiter =
      opts.rateMax > 0
        ? new RateLimiterRedis({
            storeClient: c.redis,
            keyPrefix: c.key('rate'),
            points: opts.rateMax,
            duration: opts.rateWindowSeconds,
          })
        : null;
    const max = opts.authFailuresPerMinute;
    this.failures =
      max > 0
        ? {
            failures: new RateLimiterRedis({
              storeClient: c.redis,
              keyPrefix: c.key('authfail'),
              points: max,
              duration: 60,
            }),
            holds: new RateLimiterRedis({
              storeClient: c.redis,
              keyPrefix: c.key('authhold'),
              points: 1_000_000,
              duration: 86_400,
            }),
            max,
          }
        : null;
  }

  authFailure(address: string): Promise<RateDecision> {
    return this.c.run(countFailure(this.failures, address));
  }

  consume(room: string, name: string): Promise<RateDecision> {
    return this.c.run(consumeOne(this.limiter, agentKey(room, name)));
  }

  async refund(room: string, name: string): Promise<void> {
    if (this.limiter) await this.c.run(this.limiter.reward(agentKey(room, name)));
  }
}

/**
 * Wake-ups across nodes: every event is published on one channel, and each node
 * relays what arrives to the readers parked on it. After a lost subscriber
 * connection comes back, every parked reader re-reads, so nothing published
 * meanwhile is missed.
 */
class RedisWakeups implements Wakeups {
  private readonly waiters = new WaiterRegistry();
  private readonly channel: string;

  constructor(
    private readonly c: Commands,
    private readonly sub: RedisClient,
  ) {
    this.channel = c.key('events');
  }

  /** Starts relaying events from the channel to this node's waiters. */
  async subscribe(): Promise<void> {
    this.sub.on('message', (_channel: string, raw: string) => {
      try {
        this.waiters.dispatch(JSON.parse(raw) as LiveEvent);
      } catch {
        // not one of ours
      }
    });
    let lost = false;
    this.sub.on('close', () => {
      lost = true;
    });
    this.sub.on('ready', () => {
      if (lost) {
        lost = false;
        this.waiters.wakeAll();
      }
    });
    await this.sub.subscribe(this.channel);
  }

  register(room: string, name: string | null): Waiter {
    return this.waiters.register(room, name);
  }

  async publish(event: LiveEvent): Promise<void> {
    await this.c.run(
      this.c.redis.multi().incr(this.c.key('version')).publish(this.channel, JSON.stringify(event)).exec(),
    );
  }

  async version(): Promise<number> {
    return Number((await this.c.run(this.c.redis.get(this.c.key('version')))) ?? 0);
  }

  parkedCount(): number {
    return this.waiters.count();
  }

  shutdown(): void {
    this.waiters.shutdown();
  }

  accessEpoch(): number {
    return this.waiters.accessEpoch();
  }

  recheckAll(): void {
    this.waiters.wakeAll();
  }
}

/** Tickets as Redis keys with a time to live, read and deleted in one step (GETDEL), so one use wins on any node. */
class RedisTickets implements Tickets {
  constructor(private readonly c: Commands) {}

  async issue(ticketHash: string, value: string, ttlMs: number): Promise<void> {
    await this.c.run(this.c.redis.set(this.c.key('ticket', ticketHash), value, 'PX', ttlMs));
  }

  async redeem(ticketHash: string): Promise<string | null> {
    return this.c.run(this.c.redis.getdel(this.c.key('ticket', ticketHash)));
  }
}

/** Cancelled requests as Redis keys with a time to live, seen by every node. */
class RedisCancels implements Cancels {
  constructor(private readonly c: Commands) {}

  async add(key: string, req: string, atMs: number, ttlMs: number): Promise<void> {
    await this.c.run(this.c.redis.set(this.c.key('cancel', agentKey(key, req)), String(atMs), 'PX', ttlMs));
  }

  async when(key: string, req: string): Promise<number | null> {
    const v = await this.c.run(this.c.redis.get(this.c.key('cancel', agentKey(key, req))));
    return v === null ? null : Number(v);
  }
}

/**
 * Opens the cross-node Live: two connections per node (commands, and a subscriber
 * for wake-ups). The driver loads only here. Throws a readable Error when Redis
 * cannot be reached at start.
 */
export async function openRedisLive(opts: RedisLiveOptions): Promise<Live> {
  const { Redis } = await import('ioredis');
  const connect = () =>
    new Redis(opts.url, {
      // Fail fast while disconnected (a 503), reconnect in the background with backoff.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (n) => Math.min(2000, 50 * 2 ** n),
      lazyConnect: true,
    });
  const cmd = connect();
  const sub = connect();
  cmd.on('error', () => undefined);
  sub.on('error', () => undefined);
  try {
    await Promise.all([cmd.connect(), sub.connect()]);
  } catch (e) {
    cmd.disconnect();
    sub.disconnect();
    throw new Error(`Redis at ${new URL(opts.url).host} (ARGYBARGY_REDIS_URL) is unreachable: ${(e as Error).message}`);
  }
  const c = new Commands(cmd, opts.prefix);
  const wakeups = new RedisWakeups(c, sub);
  await wakeups.subscribe();
  return {
    presence: new RedisPresence(c),
    limiter: new RedisLimiter(c, opts),
    wakeups,
    tickets: new RedisTickets(c),
    cancels: new RedisCancels(c),
    async ping() {
      try {
        return (await cmd.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      wakeups.shutdown();
      sub.disconnect();
      cmd.disconnect();
    },
  };
}
